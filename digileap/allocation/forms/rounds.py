"""The round form: a round's definition, its eligibility filters and its formula as fields a
programme officer fills in, turned into the ``eligibility`` and ``formula`` JSON the engine reads.

The form checks the result with the engine's own parsers (``parse_formula``, ``parse_eligibility``)
and shows each ``FormulaError`` on the field its path names (``formula.per_pupil[1].amount`` is the
amount of the second rule). The service validates again and writes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digileap.core.forms import label_choices, model_choice_field
from digileap.devices.models import DeviceType
from digileap.programmes.models import FundingSource, Programme
from digileap.schools.models import SCHOOL_YEAR_VALIDATOR, IscedLevel, School, SchoolOperator

from ..formula import FormulaError, parse_formula
from ..inputs import parse_eligibility
from ..models import AllocationRound, Method

LEVEL_CHOICES = [(str(value), label) for value, label in IscedLevel.choices]
SHORT_LEVEL_CHOICES = [
    ("0", _("Pre-primary")),
    ("1", _("Primary")),
    ("2", _("Lower secondary")),
    ("3", _("Upper secondary")),
    ("4", _("Post-secondary")),
]
NONE_CHOICE = [("", _("none"))]


def _decimal_field(label, help_text="", minimum: Decimal | None = Decimal(0), **kwargs):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=minimum,
        max_digits=14,
        decimal_places=4,
        localize=False,
        **kwargs,
    )


def _codes(value: str) -> list[str]:
    return sorted({code.strip() for code in re.split(r"[,;\s]+", value or "") if code.strip()})


def parse_grades(value: str) -> list[int]:
    """``"5, 6"``, ``"1-4"`` or ``"1–4, 6"`` as a sorted list of grades."""
    grades: set[int] = set()
    for part in re.split(r"[,;\s]+", (value or "").strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?", part)
        if match is None:
            raise ValidationError(_("Give grades as numbers, for example 5, 6 or 1-4."), code="grades")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            raise ValidationError(
                _("A range of grades goes from the lower to the higher: %(part)s."), params={"part": part}
            )
        grades.update(range(low, high + 1))
    return sorted(grades)


def grades_text(grades: list[int]) -> str:
    from ..templatetags.allocation_explain import number_ranges

    return number_ranges(grades).replace("–", "-")


def _number_text(value) -> str:
    return "" if value in (None, "") else str(value)


ELIGIBILITY_FIELDS = (
    "statuses",
    "levels",
    "grades",
    "school_types",
    "sectors",
    "operators",
    "index_min",
    "index_max",
    "eligible_groups",
    "min_pupils",
)
FORMULA_FIELDS = (
    "resource",
    "pupils",
    "base_per_school",
    "index_weights_kind",
    "index_weights_rows",
    "index_weights_missing",
    "cap_per_school",
    "cap_per_pupil",
    "floor_per_school",
    "operator_cap_percent",
    "operator_cap_round",
    "need",
    "need_unit_price",
)


class PerPupilRuleForm(forms.Form):
    """One amount per pupil, for some levels and grades (none ticked: every eligible pupil)."""

    amount = forms.DecimalField(
        label=_("Amount per pupil"), min_value=0, max_digits=14, decimal_places=4, localize=False
    )
    levels = forms.TypedMultipleChoiceField(
        label=_("Levels"),
        choices=SHORT_LEVEL_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every eligible level."),
    )
    grades = forms.CharField(
        label=_("Grades"), required=False, max_length=60, help_text=_("For example 5, 6 or 1-4. Empty: every grade.")
    )

    def clean_grades(self) -> list[int]:
        return parse_grades(self.cleaned_data.get("grades", ""))


class BaseRuleFormSet(forms.BaseFormSet):
    def rules(self) -> list[tuple[int, dict]]:
        """(form index, rule) for each filled-in form that is not marked for deletion."""
        result = []
        for index, form in enumerate(self.forms):
            if not form.has_changed() and index >= self.initial_form_count():
                continue
            if self.can_delete and form.cleaned_data.get(forms.formsets.DELETION_FIELD_NAME, False):
                continue
            data = form.cleaned_data
            if not data:
                continue
            rule: dict = {"amount": str(data["amount"])}
            if data.get("levels"):
                rule["levels"] = sorted(data["levels"])
            if data.get("grades"):
                rule["grades"] = data["grades"]
            result.append((index, rule))
        return result


PerPupilRuleFormSet = forms.formset_factory(
    PerPupilRuleForm, formset=BaseRuleFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


class RoundForm(forms.Form):
    """A round's definition. ``programme`` is chosen on creation only."""

    programme: forms.ModelChoiceField[Programme] = forms.ModelChoiceField(queryset=None, label=_("Programme"))
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Short and unique in the programme, e.g. DS-2025.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    funding_source: forms.ModelChoiceField[FundingSource] = forms.ModelChoiceField(
        queryset=None, label=_("Funding source"), required=False
    )
    resource = forms.ChoiceField(label=_("Resource"), choices=AllocationRound.Resource.choices)
    device_type = forms.ChoiceField(
        label=_("Device type"),
        choices=[("", _("none"))] + list(DeviceType.choices),
        required=False,
        help_text=_("For a round of devices; a money round names one only to read the declared need for it."),
    )
    total = forms.DecimalField(
        label=_("Total to split"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=False,
        help_text=_("EUR, or a whole number of devices. Empty: every school gets what the formula gives."),
    )
    school_year = forms.CharField(
        label=_("School year"),
        max_length=7,
        validators=[SCHOOL_YEAR_VALIDATOR],
        help_text=_("The registry figures of this year are used, e.g. 2024/25."),
    )
    distribution = forms.ChoiceField(label=_("Distribution"), choices=AllocationRound.Distribution.choices)
    method = forms.ChoiceField(label=_("Rounding method"), choices=Method.choices)

    # Eligibility.
    statuses = forms.MultipleChoiceField(
        label=_("School status"),
        choices=School.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: open schools."),
    )
    levels = forms.TypedMultipleChoiceField(
        label=_("Levels counted"),
        choices=LEVEL_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only pupils of these levels count. None ticked: every level."),
    )
    grades = forms.CharField(
        label=_("Grades counted"),
        required=False,
        max_length=60,
        help_text=_("For example 5, 6 or 1-4. Empty: every grade."),
    )
    school_types = forms.CharField(
        label=_("School types"),
        required=False,
        max_length=500,
        help_text=_("Type codes of the registry, separated by commas. Empty: every type."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=School.Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every sector."),
    )
    operators = forms.CharField(
        label=_("Operators"),
        required=False,
        max_length=2000,
        help_text=_("Operator codes of the programme's authority, separated by commas. Empty: every operator."),
    )
    index_min = _decimal_field(_("Lowest socio-economic index"), minimum=None)
    index_max = _decimal_field(_("Highest socio-economic index"), minimum=None)
    eligible_groups = forms.CharField(
        label=_("Eligible groups"),
        required=False,
        max_length=500,
        help_text=_("Codes of eligible groups (e.g. low-income pupils), separated by commas."),
    )
    min_pupils = forms.IntegerField(
        label=_("Fewest eligible pupils"), min_value=0, initial=1, required=False, help_text=_("Default 1.")
    )

    # Formula.
    pupils = forms.ChoiceField(
        label=_("Pupils counted by the amounts per pupil"),
        choices=[("enrolment", _("Enrolment")), ("eligible_groups", _("Pupils of the eligible groups"))],
        initial="enrolment",
    )
    base_per_school = _decimal_field(_("Base per school"), _("A fixed amount every eligible school gets."))
    index_weights_kind = forms.ChoiceField(
        label=_("Weight by socio-economic index"),
        choices=[("", _("none")), ("table", _("a table of bands")), ("curve", _("a curve through points"))],
        required=False,
    )
    index_weights_rows = forms.CharField(
        label=_("Bands or points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
        help_text=_(
            "One per line. A table: <code>from; to; weight</code>, from included, to excluded, either may be "
            "empty (e.g. <code>; 2; 1.3</code> then <code>2; 4; 1.1</code> then <code>4; ; 1</code>). "
            "A curve: <code>index; weight</code> (e.g. <code>1; 1.5</code> and <code>6; 1</code>)."
        ),
    )
    index_weights_missing = _decimal_field(
        _("Weight without an index"), _("For schools without an index for the year. Default 1.")
    )
    cap_per_school = _decimal_field(_("Cap per school"))
    cap_per_pupil = _decimal_field(_("Cap per eligible pupil"))
    floor_per_school = _decimal_field(_("Floor per school"), _("Never above the school's cap."))
    operator_cap_percent = _decimal_field(
        _("Operator's cap (%)"), _("An operator's schools together get at most this share."), max_value=100
    )
    operator_cap_round = forms.CharField(
        label=_("Operator's cap: of round"),
        required=False,
        max_length=40,
        help_text=_(
            "Code of another round of the programme (its approved amounts per operator). Empty: this round's total."
        ),
    )
    need = forms.ChoiceField(
        label=_("Declared need"),
        choices=[
            ("none", _("not used")),
            ("cap", _("never more than the declared need")),
            ("weight", _("the declared need is the weight")),
        ],
    )
    need_unit_price = _decimal_field(_("Price per needed device"), _("Money rounds that use the declared need."))

    FIELD_FOR_PATH = {
        "formula.base_per_school": "base_per_school",
        "formula.pupils": "pupils",
        "formula.index_weights.kind": "index_weights_kind",
        "formula.index_weights.missing": "index_weights_missing",
        "formula.index_weights": "index_weights_rows",
        "formula.cap_per_school": "cap_per_school",
        "formula.cap_per_pupil": "cap_per_pupil",
        "formula.floor_per_school": "floor_per_school",
        "formula.operator_cap.of_round": "operator_cap_round",
        "formula.operator_cap": "operator_cap_percent",
        "formula.need_unit_price": "need_unit_price",
        "formula.need": "need",
        "formula.per_pupil": None,  # shown above the rules
        "formula": None,
        "eligibility": None,
    }

    def __init__(self, *args, programmes, allocation_round: AllocationRound | None = None, **kwargs):
        self.allocation_round = allocation_round
        if allocation_round is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(allocation_round)
        super().__init__(*args, **kwargs)
        programme_ids = (
            [allocation_round.programme_id] if allocation_round else list(programmes.values_list("pk", flat=True))
        )
        if allocation_round is None:
            model_choice_field(self, "programme").queryset = programmes
            label_choices(self, "programme", lambda p: f"{p.code}: {p.display_name}")
        else:
            del self.fields["programme"]
        model_choice_field(self, "funding_source").queryset = FundingSource.objects.filter(
            programme_id__in=programme_ids
        ).select_related("programme")
        label_choices(self, "funding_source", lambda s: f"{s.programme.code}: {s.display_name}")
        rules_initial = None
        if allocation_round is not None:
            rules_initial = [
                {
                    "amount": rule.get("amount"),
                    "levels": [str(v) for v in rule.get("levels") or []],
                    "grades": grades_text(rule.get("grades") or []),
                }
                for rule in (allocation_round.formula or {}).get("per_pupil") or []
                if isinstance(rule, dict)
            ]
        self.rules = cast(
            BaseRuleFormSet,
            PerPupilRuleFormSet(self.data if self.is_bound else None, initial=rules_initial, prefix="rule"),
        )
        self.per_pupil_errors: list[str] = []
        self.formula: dict = {}
        self.eligibility: dict = {}

    @staticmethod
    def initial_from(allocation_round: AllocationRound) -> dict:
        formula = allocation_round.formula or {}
        eligibility = allocation_round.eligibility or {}
        weights = formula.get("index_weights") or {}
        rows = ""
        if weights.get("kind") == "table":
            rows = "\n".join(
                f"{_number_text(b.get('from'))}; {_number_text(b.get('to'))}; {_number_text(b.get('weight'))}"
                for b in weights.get("bands") or []
            )
        elif weights.get("kind") == "curve":
            rows = "\n".join(f"{x}; {w}" for x, w in weights.get("points") or [])
        operator_codes = ""
        if eligibility.get("operators"):
            codes = SchoolOperator.objects.filter(pk__in=eligibility["operators"]).order_by("code")
            operator_codes = ", ".join(codes.values_list("code", flat=True))
        operator_cap = formula.get("operator_cap") or {}
        return {
            "code": allocation_round.code,
            "name": allocation_round.name,
            "description": allocation_round.description,
            "funding_source": allocation_round.funding_source_id,
            "resource": allocation_round.resource,
            "device_type": allocation_round.device_type,
            "total": allocation_round.total,
            "school_year": allocation_round.school_year,
            "distribution": allocation_round.distribution,
            "method": allocation_round.method,
            "statuses": eligibility.get("statuses") or [],
            "levels": [str(v) for v in eligibility.get("levels") or []],
            "grades": grades_text(eligibility.get("grades") or []),
            "school_types": ", ".join(eligibility.get("school_types") or []),
            "sectors": eligibility.get("sectors") or [],
            "operators": operator_codes,
            "index_min": eligibility.get("index_min"),
            "index_max": eligibility.get("index_max"),
            "eligible_groups": ", ".join(eligibility.get("eligible_groups") or []),
            "min_pupils": eligibility.get("min_pupils", 1),
            "pupils": formula.get("pupils", "enrolment"),
            "base_per_school": formula.get("base_per_school"),
            "index_weights_kind": weights.get("kind", ""),
            "index_weights_rows": rows,
            "index_weights_missing": weights.get("missing"),
            "cap_per_school": formula.get("cap_per_school"),
            "cap_per_pupil": formula.get("cap_per_pupil"),
            "floor_per_school": formula.get("floor_per_school"),
            "operator_cap_percent": operator_cap.get("percent"),
            "operator_cap_round": operator_cap.get("of_round") or "",
            "need": formula.get("need", "none"),
            "need_unit_price": formula.get("need_unit_price"),
        }

    def clean_grades(self) -> list[int]:
        return parse_grades(self.cleaned_data.get("grades", ""))

    def is_valid(self) -> bool:
        rules_valid = self.rules.is_valid()
        form_valid = super().is_valid()
        return form_valid and rules_valid and not self.per_pupil_errors

    def _authority_id(self) -> int | None:
        if self.allocation_round is not None:
            return self.allocation_round.programme.authority_id
        programme = self.cleaned_data.get("programme")
        return programme.authority_id if programme is not None else None

    def clean(self):
        data = super().clean()
        self.eligibility = self._build_eligibility(data)
        self.formula = self._build_formula(data)
        if not self.rules.is_valid():
            return data  # the rules show their own errors; the formula cannot be checked without them
        # The engine checks what the fields could be read into; a field that could not be read
        # already shows its error, and the engine would only repeat it in other words.
        if not any(self.has_error(name) for name in ELIGIBILITY_FIELDS):
            try:
                parse_eligibility(self.eligibility)
            except FormulaError as error:
                self.add_path_error(error.path, error.message)
        if not any(self.has_error(name) for name in FORMULA_FIELDS):
            resource = data.get("resource") or AllocationRound.Resource.MONEY
            try:
                parse_formula(self.formula, is_money=resource == AllocationRound.Resource.MONEY)
            except FormulaError as error:
                self.add_path_error(error.path, error.message)
        return data

    def _build_eligibility(self, data: dict) -> dict:
        eligibility: dict = {}
        for name in ("levels", "grades", "statuses", "sectors"):
            if data.get(name):
                eligibility[name] = sorted(data[name])
        for name in ("school_types", "eligible_groups"):
            codes = _codes(data.get(name, ""))
            if codes:
                eligibility[name] = codes
        codes = _codes(data.get("operators", ""))
        if codes:
            authority_id = self._authority_id()
            found = (
                dict(SchoolOperator.objects.filter(authority_id=authority_id, code__in=codes).values_list("code", "pk"))
                if authority_id is not None
                else {}  # no programme chosen: no authority, no operator
            )
            missing = [code for code in codes if code not in found]
            if missing:
                self.add_error(
                    "operators",
                    _("No operator of the programme's authority has the code %(codes)s.")
                    % {"codes": ", ".join(missing)},
                )
            eligibility["operators"] = sorted(found.values())
        for name in ("index_min", "index_max"):
            if data.get(name) is not None:
                eligibility[name] = str(data[name])
        if data.get("min_pupils") not in (None, 1):
            eligibility["min_pupils"] = data["min_pupils"]
        return eligibility

    def _build_formula(self, data: dict) -> dict:
        formula: dict = {}
        rules = self.rules.rules() if self.rules.is_valid() else []
        self._rule_forms = [index for index, _rule in rules]
        if rules:
            formula["per_pupil"] = [rule for _index, rule in rules]
        if data.get("pupils") == "eligible_groups":
            formula["pupils"] = "eligible_groups"
        for name in ("base_per_school", "cap_per_school", "cap_per_pupil", "floor_per_school", "need_unit_price"):
            if data.get(name) is not None:
                formula[name] = str(data[name])
        kind = data.get("index_weights_kind")
        if kind:
            weights = self._index_weights(kind, data.get("index_weights_rows", ""))
            if data.get("index_weights_missing") is not None:
                weights["missing"] = str(data["index_weights_missing"])
            formula["index_weights"] = weights
        if data.get("operator_cap_percent") is not None:
            cap = {"percent": str(data["operator_cap_percent"])}
            if data.get("operator_cap_round"):
                cap["of_round"] = data["operator_cap_round"].strip()
            formula["operator_cap"] = cap
        elif data.get("operator_cap_round"):
            self.add_error("operator_cap_percent", _("Give the percentage the operator's cap is."))
        if data.get("need") and data["need"] != "none":
            formula["need"] = data["need"]
        return formula

    def _index_weights(self, kind: str, text: str) -> dict:
        rows = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if kind == "table":
            bands = []
            for number, row in enumerate(rows, start=1):
                cells = [cell.strip() for cell in row.split(";")]
                if len(cells) != 3:
                    self.add_error(
                        "index_weights_rows",
                        _("Line %(line)s: give from; to; weight (from or to may be empty).") % {"line": number},
                    )
                    continue
                band = {"weight": cells[2]}
                if cells[0]:
                    band["from"] = cells[0]
                if cells[1]:
                    band["to"] = cells[1]
                bands.append(band)
            return {"kind": "table", "bands": bands}
        points = []
        for number, row in enumerate(rows, start=1):
            cells = [cell.strip() for cell in row.split(";")]
            if len(cells) != 2 or not all(cells):
                self.add_error("index_weights_rows", _("Line %(line)s: give index; weight.") % {"line": number})
                continue
            points.append(cells)
        return {"kind": "curve", "points": points}

    def add_path_error(self, path: str, message: str) -> None:
        """Show an engine error (``formula.per_pupil[1].amount: ...``) on the field it names."""
        rule = re.match(r"formula\.per_pupil\[(\d+)\](?:\.(\w+))?", path)
        if rule is not None:
            position = int(rule.group(1))
            forms_in_use = getattr(self, "_rule_forms", [])
            if position < len(forms_in_use):
                field = rule.group(2) if rule.group(2) in PerPupilRuleForm.base_fields else None
                self.rules.forms[forms_in_use[position]].add_error(field, message)
                self.per_pupil_errors.append(
                    _("Rule %(number)s: %(message)s") % {"number": position + 1, "message": message}
                )
                return
        if path.startswith("eligibility."):
            name = path.split(".", 1)[1].split("[", 1)[0].split(".", 1)[0]
            if name in self.fields:
                self._field_error(name, message)
                return
        for prefix, field in self.FIELD_FOR_PATH.items():
            if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
                if field is not None:
                    self._field_error(field, _detail_message(path[len(prefix) :].lstrip("."), message))
                elif prefix == "formula.per_pupil":
                    self.per_pupil_errors.append(str(message))
                else:
                    self.add_error(None, f"{path}: {message}")
                return
        self.add_error(None, f"{path}: {message}")

    def _field_error(self, name: str, message: str) -> None:
        if name in self.fields:
            self.add_error(name, message)
        else:
            self.add_error(None, message)

    def add_service_error(self, error: ValidationError) -> None:
        """A service's ValidationError on the fields it names; formula messages by their path."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            for message in messages:
                path, _sep, detail = message.partition(": ")
                if name in ("formula", "eligibility") and path.startswith(name) and detail:
                    self.add_path_error(path, detail)
                else:
                    self.add_error(name if name in self.fields else None, message)

    def service_data(self) -> dict:
        data = self.cleaned_data
        result = {
            "code": data["code"],
            "name": data["name"],
            "description": data.get("description", ""),
            "funding_source": data.get("funding_source"),
            "resource": data["resource"],
            "device_type": data.get("device_type", ""),
            "total": data.get("total"),
            "school_year": data["school_year"],
            "distribution": data["distribution"],
            "method": data["method"],
            "eligibility": self.eligibility,
            "formula": self.formula,
        }
        if self.allocation_round is None:
            return result
        # Only what changed: an unchanged formula written another way (25 or 25.00) stays as it is.
        changed = {}
        current = self.allocation_round
        for name, value in result.items():
            if name == "formula":
                if not _same_formula(current.formula or {}, value, current.resource, data["resource"]):
                    changed[name] = value
            elif name == "eligibility":
                if not _same_eligibility(current.eligibility or {}, value):
                    changed[name] = value
            elif name == "funding_source":
                if current.funding_source_id != (value.pk if value else None):
                    changed[name] = value
            elif getattr(current, name) != value:
                changed[name] = value
        return changed


def _detail_message(detail: str, message: str) -> str:
    """The part of an engine path below the field, in words: ``bands[1].weight`` is line 2's weight."""
    if detail in ("", "percent", "bands", "points"):
        return message
    row = re.fullmatch(r"(?:bands|points)\[(\d+)\](?:\.(\w+))?", detail)
    if row is not None:
        where = _("Line %(line)s") % {"line": int(row.group(1)) + 1}
        if row.group(2):
            where = f"{where} ({row.group(2)})"
        return f"{where}: {message}"
    return f"{detail}: {message}"


def _same_formula(old: dict, new: dict, old_resource: str, new_resource: str) -> bool:
    try:
        return parse_formula(old, is_money=old_resource == "money") == parse_formula(
            new, is_money=new_resource == "money"
        )
    except FormulaError:
        return False


def _same_eligibility(old: dict, new: dict) -> bool:
    try:
        return parse_eligibility(old) == parse_eligibility(new)
    except FormulaError:
        return False


class ComputeForm(forms.Form):
    note = forms.CharField(
        label=_("Note on this computation"), required=False, max_length=500, widget=forms.TextInput()
    )
