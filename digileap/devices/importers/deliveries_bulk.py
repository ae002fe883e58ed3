"""The set-based path of the delivery importer: columns instead of row tuples, SQL instead of loops.

``DeliveryImporter.plan`` takes this path for every profile whose delivery fields are plain text
(all built-in profiles). It gives the same counts, the same errors (line, column, message, value)
and the same stored rows as the row-by-row path (``test_deliveries_bulk.py`` proves it on the same
generated files), but:

- the parsed rows are kept as Arrow columns (a few bytes per cell), not as a million tuples;
- every check that depends on a low-cardinality value (programme, order, model, school, site,
  condition, date) runs once per distinct value, and its result is spread over the rows with
  numpy; repeated serials are found with a hash count over the whole column;
- the candidate rows go into a TEMP staging table (``COPY`` on PostgreSQL, ``executemany`` on
  SQLite); the stored devices they name are compared in SQL, so a re-import never loads the
  stored devices into memory;
- the commit writes devices and their first lifecycle events with ``INSERT … SELECT`` from the
  staging table: no id is looked up per row. PostgreSQL then gets ``ANALYZE`` of the tables.
"""

import contextlib
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core.audit import _actor_fields
from digileap.core.bulk import bulk_insert
from digileap.core.tabular.engine import Plan
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.parsing import ParsedRow

from ..models import Delivery, Device, DeviceEvent, DeviceStatus

# The fields the importer reads from a parsed row, in this order.
FIELDS = (
    "serial",
    "model",
    "asset_tag",
    "mac_address",
    "autopilot_hash",
    "windows_product_id",
    "google_device_id",
    "condition",
    "school",
    "site",
    "note_number",
    "delivered_on",
    "order",
    "programme",
    "supplier",
)
# Fields with few distinct values: kept dictionary-encoded (four bytes a row).
FEW_VALUES = frozenset(
    ("model", "condition", "school", "site", "note_number", "delivered_on", "order", "programme", "supplier")
)
CHUNK_ROWS = 65_536
STAGE_SLICE = 200_000
STAGE = "digileap_delivery_stage"
STAGE_SPECS = "digileap_delivery_stage_specs"
_NEEDS_PYTHON_STRIP = r"^[\x00-\x20]|[\x00-\x20]$"
_MAC_USUAL = r"^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$"
# Staged candidate columns (the commit's INSERT … SELECT reads them).
STAGE_COLUMNS = (
    ("line", "integer"),
    ("spec", "integer"),
    ("manufacturer", "text"),
    ("serial", "text"),
    ("model_id", "bigint"),
    ("device_type", "text"),
    ("asset_tag", "text"),
    ("mac_address", "text"),
    ("autopilot_hash", "text"),
    ("windows_product_id", "text"),
    ("google_device_id", "text"),
    ("condition", "text"),
    ("order_line_id", "bigint"),
    ("site_id", "bigint"),
    ("delivery_id", "bigint"),
)


_ArrayT = TypeVar("_ArrayT", bound=pa.Array)


def _fill_null(values: _ArrayT, fill_value: object) -> _ArrayT:
    """``pc.fill_null(values, fill_value)``, with the array's own type.

    The stubs give ``pc.fill_null`` the signature of ``pc.coalesce`` (no Python value, any array
    type back); the scalar is what ``pc.fill_null`` makes of ``fill_value`` itself.
    """
    return cast(_ArrayT, pc.fill_null(values, pa.scalar(fill_value, values.type)))


class Columns:
    """The parsed rows as Arrow columns, their line numbers, and the parser's errors by row position."""

    def __init__(self, rows: Iterable[ParsedRow]):
        chunks: dict[str, list[pa.Array]] = {name: [] for name in FIELDS}
        lines: list[np.ndarray] = []
        self.parse_errors: dict[int, list[RowError]] = {}
        buffer: list[tuple] = []
        buffer_lines: list[int] = []
        position = 0
        getters = FIELDS

        def flush() -> None:
            if not buffer:
                return
            for name, values in zip(FIELDS, zip(*buffer, strict=True), strict=True):
                array: pa.Array = pa.array(values, type=pa.string())
                if name in FEW_VALUES:
                    array = _fill_null(array, "").dictionary_encode()
                chunks[name].append(array)
            lines.append(np.asarray(buffer_lines, dtype=np.int64))
            buffer.clear()
            buffer_lines.clear()

        for parsed in rows:
            values = parsed.values
            buffer.append(tuple(map(values.get, getters)))
            buffer_lines.append(parsed.line)
            if parsed.errors:
                self.parse_errors[position] = parsed.errors
            position += 1
            if len(buffer) >= CHUNK_ROWS:
                flush()
        flush()
        self.count = position
        # Arrow's allocator keeps freed blocks for reuse; a file of a million rows leaves many.
        pa.default_memory_pool().release_unused()
        self.line = np.concatenate(lines) if lines else np.zeros(0, dtype=np.int64)
        # Combined chunks keep their array class (the stubs say a plain Array).
        self._columns: dict[str, pa.StringArray | pa.DictionaryArray] = {}
        for name, parts in chunks.items():
            if not parts:
                self._columns[name] = pa.array([], pa.string())
            elif name in FEW_VALUES:
                self._columns[name] = cast(
                    pa.DictionaryArray, pa.chunked_array(parts).unify_dictionaries().combine_chunks()
                )
            else:
                self._columns[name] = cast(pa.StringArray, pa.chunked_array(parts, type=pa.string()).combine_chunks())
            parts.clear()

    def text(self, name: str) -> pa.StringArray:
        """The column with empty cells as ''."""
        column = self._columns[name]
        if isinstance(column, pa.DictionaryArray):
            # Its dictionary is a StringArray, and taking from it keeps the class.
            return cast(pa.StringArray, column.dictionary.take(column.indices))
        return _fill_null(column, "")

    def encoded(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Codes per row (int32) and the distinct texts (empty cells as '')."""
        column = self._columns[name]
        if not isinstance(column, pa.DictionaryArray):
            column = _fill_null(column, "").dictionary_encode()
        return (
            column.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False),
            cast(list[str], column.dictionary.to_pylist()),  # a dictionary holds no null
        )

    def drop(self, *names: str) -> None:
        """Free columns that are no longer needed."""
        for name in names:
            self._columns.pop(name, None)


def python_strip(values: pa.StringArray) -> pa.StringArray:
    """``str.strip()`` of every value, exactly as Python does it (Arrow only for plain ASCII)."""
    odd = pc.or_(pc.invert(pc.string_is_ascii(values)), pc.match_substring_regex(values, _NEEDS_PYTHON_STRIP))
    if not pc.any(odd).as_py():
        return values
    positions = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
    python = cast(list[str], values.to_pylist())  # no null: the columns come from Columns.text
    for position in positions:
        python[position] = python[position].strip()
    return pa.array(python, type=pa.string())


def python_upper(values: pa.StringArray) -> pa.StringArray:
    """``str.upper()`` of every value (Arrow's ASCII upper-casing where it gives the same)."""
    ascii_rows = pc.string_is_ascii(values)
    if pc.all(ascii_rows).as_py():
        return pc.ascii_upper(values)
    python = cast(list[str], values.to_pylist())  # no null: the columns come from Columns.text
    return pa.array([value.upper() for value in python], type=pa.string())


def combined_codes(*parts: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    """One code per row for a tuple of codes: (inverse index per row, first row of each distinct tuple)."""
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, size in parts:
        key = key * max(size, 1) + codes
    _unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse.reshape(-1).astype(np.int32), first


class RowErrors:
    """Errors of the set-based checks, kept in the order the row-by-row path finds them."""

    def __init__(self, columns: Columns, column_name):
        self.line = columns.line
        self.column_name = column_name
        self.items: list[tuple[int, int, RowError]] = []
        self.failed = np.zeros(columns.count, dtype=bool)
        for position, errors in columns.parse_errors.items():
            self.failed[position] = True
            self.items.extend((position, 0, error) for error in errors)

    def add(self, step: int, positions: Iterable[int], field: str, message, value) -> None:
        """``message`` and ``value`` are texts, or functions of the row position."""
        column = self.column_name(field)
        for position in positions:
            position = int(position)
            text = message(position) if callable(message) else message
            shown = value(position) if callable(value) else value
            self.items.append((position, step, RowError(int(self.line[position]), column, text, str(shown)[:80])))
            self.failed[position] = True

    def ordered(self) -> list[RowError]:
        self.items.sort(key=lambda item: (item[0], item[1]))
        return [error for _position, _step, error in self.items]


def plan_columns(importer, rows: Iterable[ParsedRow]) -> Plan:
    """The set-based twin of ``DeliveryImporter.plan``: same decisions, same messages."""
    from .deliveries import _CONDITIONS, _LIMITS, _MIXED, DeliveriesPlan, DeliverySpec, normalise_mac

    plan = Plan(data=DeliveriesPlan())
    data: DeliveriesPlan = plan.data
    data.bulk = True
    columns = Columns(rows)
    count = columns.count
    line = columns.line
    errors = RowErrors(columns, importer.column)
    alive = np.ones(count, dtype=bool)
    if count == 0:
        return plan

    # 1. serial, upper-case without surrounding spaces; too long: an error and no serial.
    serial = python_upper(python_strip(columns.text("serial")))
    serial_length = pc.utf8_length(serial).to_numpy(zero_copy_only=False)
    too_long = np.flatnonzero(serial_length > _LIMITS["serial"])
    serial_python = None
    if len(too_long):
        serial_python = serial.to_pylist()
        errors.add(
            1,
            too_long,
            "serial",
            _("longer than %(n)s characters") % {"n": _LIMITS["serial"]},
            lambda p: serial_python[p],
        )
        for position in too_long:
            serial_python[position] = ""
        serial = pa.array(serial_python, type=pa.string())
    has_serial = pc.not_equal(serial, pa.scalar("")).to_numpy(zero_copy_only=False)

    # 2. texts with a length limit.
    texts: dict[str, pa.Array] = {}
    for step, name in enumerate(("asset_tag", "windows_product_id", "google_device_id"), start=2):
        values = columns.text(name)
        texts[name] = values
        long_rows = np.flatnonzero(pc.utf8_length(values).to_numpy(zero_copy_only=False) > _LIMITS[name])
        if len(long_rows):
            python = values.to_pylist()
            errors.add(
                step,
                long_rows,
                name,
                _("longer than %(n)s characters") % {"n": _LIMITS[name]},
                lambda p, python=python: python[p],
            )
    note_codes, note_texts = columns.encoded("note_number")
    columns.drop("note_number")
    long_notes = [i for i, text in enumerate(note_texts) if len(text) > _LIMITS["note_number"]]
    if long_notes:
        errors.add(
            5,
            np.flatnonzero(np.isin(note_codes, long_notes)),
            "note_number",
            _("longer than %(n)s characters") % {"n": _LIMITS["note_number"]},
            lambda p: note_texts[note_codes[p]],
        )
    has_note = np.asarray([bool(text) for text in note_texts], dtype=bool)[note_codes]

    # 6. MAC addresses: the usual spelling in Arrow, anything else through normalise_mac.
    mac = columns.text("mac_address")
    usual = pc.match_substring_regex(mac, _MAC_USUAL)
    mac_normal = pc.if_else(usual, pc.replace_substring(pc.ascii_upper(mac), "-", ":"), mac)
    others = np.flatnonzero(pc.and_(pc.invert(usual), pc.not_equal(mac, pa.scalar(""))).to_numpy(zero_copy_only=False))
    if len(others):
        python = mac_normal.to_pylist()
        for position in others:
            try:
                python[position] = normalise_mac(python[position])
            except ValueError as error:
                errors.add(6, [int(position)], "mac_address", str(error), python[position])
        mac_normal = pa.array(python, type=pa.string())

    # 7. condition.
    codes, distinct = columns.encoded("condition")
    condition_of = []
    for text in distinct:
        stripped = text.strip()
        condition_of.append(_CONDITIONS.get(stripped.lower(), "") if stripped else "new")
    bad = [i for i, value in enumerate(condition_of) if not value]
    if bad:
        stripped_of = [text.strip() for text in distinct]
        errors.add(
            7,
            np.flatnonzero(np.isin(codes, bad)),
            "condition",
            lambda p: _("unknown condition %(value)r; use new or refurbished") % {"value": stripped_of[codes[p]]},
            lambda p: stripped_of[codes[p]],
        )
    condition_codes = codes

    # 8. delivery date.
    date_codes, date_texts = columns.encoded("delivered_on")
    day_of = [importer._date(text.strip()) if text.strip() else importer.today for text in date_texts]
    bad = [i for i, day in enumerate(day_of) if isinstance(day, str)]
    if bad:
        errors.add(
            8,
            np.flatnonzero(np.isin(date_codes, bad)),
            "delivered_on",
            lambda p: day_of[date_codes[p]],
            lambda p: date_texts[date_codes[p]].strip(),
        )

    # 9. programme, order and supplier: once per distinct (programme, supplier, order).
    parts = [columns.encoded(name) for name in ("programme", "supplier", "order")]
    context_code, context_first = combined_codes(*((codes, len(texts_)) for codes, texts_ in parts))
    contexts = []
    for first in context_first:
        failures: list[tuple] = []
        given = {
            name: parts[i][1][parts[i][0][first]] or None for i, name in enumerate(("programme", "supplier", "order"))
        }
        result = importer._context(given, lambda *arguments, failures=failures: failures.append(arguments))
        contexts.append((result, failures))
    for index, (_result, failures) in enumerate(contexts):
        if failures:
            positions = np.flatnonzero(context_code == index)
            for arguments in failures:
                name, message = arguments[0], arguments[1]
                value = arguments[2] if len(arguments) > 2 else ""
                errors.add(9, positions, name, message, value)
    programme_of = [result[0] for result, _failures in contexts]
    has_programme = np.asarray([programme is not None for programme in programme_of], dtype=bool)[context_code]
    alive &= has_programme
    authority_of_context = np.asarray(
        [programme.authority_id if programme is not None else -1 for programme in programme_of], dtype=np.int64
    )
    authority = authority_of_context[context_code]

    # 10. device model, per distinct (authority, text).
    model_codes, model_texts = columns.encoded("model")
    model_key, model_first = combined_codes((authority + 1, int(authority.max()) + 2), (model_codes, len(model_texts)))
    model_info: list[tuple[int, str, str] | None] = []
    for first in model_first:
        text = model_texts[model_codes[first]].strip()
        if authority[first] < 0 or not text:
            model_info.append(None)
            continue
        cache_key = (int(authority[first]), text)
        model = importer._model_texts.get(cache_key, _MIXED)
        if model is _MIXED:
            model = importer._model_texts[cache_key] = importer._model(int(authority[first]), text)
        model_info.append(model)
    unknown = [
        i
        for i, first in enumerate(model_first)
        if model_info[i] is None and authority[first] >= 0 and model_texts[model_codes[first]].strip()
    ]
    if unknown:
        bad_rows = np.flatnonzero(np.isin(model_key, unknown) & alive)

        def unknown_model(p: int) -> str:
            return _(
                "unknown device model %(value)r in the catalogue of %(authority)s; give its code or 'manufacturer model'"
            ) % {
                "value": model_texts[model_codes[p]].strip(),
                "authority": importer._authority_names.get(int(authority[p]), int(authority[p])),
            }

        errors.add(10, bad_rows, "model", unknown_model, lambda p: model_texts[model_codes[p]].strip())
    for model in model_info:
        if model:
            data.model_info[model[0]] = (model[1], model[2])
    has_model = np.asarray([model is not None for model in model_info], dtype=bool)[model_key]
    model_id = np.asarray([model[0] if model else -1 for model in model_info], dtype=np.int64)[model_key]
    manufacturer_of = [model[1] if model else "" for model in model_info]
    tracked = alive & has_model & has_serial

    # 11. school, per distinct (authority, number).
    school_codes, school_texts = columns.encoded("school")
    school_key, school_first = combined_codes(
        (authority + 1, int(authority.max()) + 2), (school_codes, len(school_texts))
    )
    school_info = []
    for first in school_first:
        number = school_texts[school_codes[first]].strip()
        school_info.append(
            importer._school(int(authority[first]), number) if number and authority[first] >= 0 else None
        )
    missing = [
        i
        for i, first in enumerate(school_first)
        if school_info[i] is None and authority[first] >= 0 and school_texts[school_codes[first]].strip()
    ]
    if missing:

        def unknown_school(p: int) -> str:
            programme = programme_of[context_code[p]]
            return _(
                "no school with the official number %(number)s in %(authority)s (the authority of programme %(programme)s)"
            ) % {
                "number": school_texts[school_codes[p]].strip(),
                "authority": importer._authority_names.get(int(authority[p]), int(authority[p])),
                "programme": programme.code,
            }

        errors.add(
            11,
            np.flatnonzero(np.isin(school_key, missing) & alive),
            "school",
            unknown_school,
            lambda p: school_texts[school_codes[p]].strip(),
        )
    alive &= np.asarray([school is not None for school in school_info], dtype=bool)[school_key]

    def school_label(p: int) -> str:
        """The school of a row that names one (as every row does that the messages below name)."""
        return cast(tuple[int, int, str], school_info[school_key[p]])[2]

    # 12. may the actor deliver to the school (per distinct school and supplier)?
    supplier_of_context = [result[2] for result, _failures in contexts]
    supplier_code = np.asarray(
        [supplier if supplier is not None else -1 for supplier in supplier_of_context], dtype=np.int64
    )[context_code]
    scope_key, scope_first = combined_codes(
        (school_key, len(school_first)), (supplier_code + 1, int(supplier_code.max()) + 2)
    )
    scope_allowed = []
    for first in scope_first:
        school = school_info[school_key[first]]
        if school is None or not alive[first]:
            scope_allowed.append(True)
            continue
        supplier = supplier_of_context[context_code[first]]
        scope_allowed.append(importer._may_deliver(school, int(authority[first]), supplier))
    refused = [i for i, allowed in enumerate(scope_allowed) if not allowed]
    if refused:
        refused_rows = np.flatnonzero(np.isin(scope_key, refused) & alive)
        errors.add(
            12,
            refused_rows,
            "school",
            lambda p: (
                _("school %(school)s is outside your scope: your role may not record deliveries to it")
                % {"school": school_label(p)}
            ),
            lambda p: school_texts[school_codes[p]].strip(),
        )
        alive[refused_rows] = False

    # 13. a supplier user without an order delivers only where it serves the programme.
    order_of_context = [result[1] for result, _failures in contexts]
    if importer.actor_supplier_id is not None:
        refused = [
            i
            for i, (programme, order) in enumerate(zip(programme_of, order_of_context, strict=True))
            if programme is not None
            and order is None
            and not importer._supplier_serves(importer.actor_supplier_id, programme)
        ]
        if refused:
            errors.add(
                13,
                np.flatnonzero(np.isin(context_code, refused) & alive),
                "programme",
                lambda p: (
                    _(
                        "your supplier has no order in programme %(programme)s and no framework contract with its authority"
                    )
                    % {"programme": programme_of[context_code[p]].code}
                ),
                lambda p: programme_of[context_code[p]].code,
            )

    # 14. site of the school, per distinct (school, name).
    site_codes, site_texts = columns.encoded("site")
    site_id = np.full(count, -1, dtype=np.int64)
    if any(text.strip() for text in site_texts):
        site_key, site_first = combined_codes((school_key, len(school_first)), (site_codes, len(site_texts)))
        site_of = []
        for first in site_first:
            name = site_texts[site_codes[first]].strip()
            school = school_info[school_key[first]]
            site_of.append(
                importer._site(int(authority[first]), school[0], name) if name and school is not None else None
            )
        missing = [
            i
            for i, first in enumerate(site_first)
            if site_of[i] is None and site_texts[site_codes[first]].strip() and school_info[school_key[first]]
        ]
        if missing:
            errors.add(
                14,
                np.flatnonzero(np.isin(site_key, missing) & alive),
                "site",
                lambda p: (
                    _("school %(school)s has no site named %(site)r")
                    % {"school": school_label(p), "site": site_texts[site_codes[p]].strip()}
                ),
                lambda p: site_texts[site_codes[p]].strip(),
            )
        site_id = np.asarray([site if site is not None else -1 for site in site_of], dtype=np.int64)[site_key]

    # 15. the order's line for the school and model.
    order_line_id = np.full(count, -1, dtype=np.int64)
    if any(order is not None for order in order_of_context):
        line_key, line_first = combined_codes(
            (context_code, len(contexts)), (school_key, len(school_first)), (model_key, len(model_first))
        )
        line_of: list[int | None] = []
        for first in line_first:
            order = order_of_context[context_code[first]]
            model = model_info[model_key[first]]
            school = school_info[school_key[first]]
            if order is None or model is None or school is None:
                line_of.append(-1)
                continue
            found = importer._order_line(order.id, school[0], model[0])
            line_of.append(found if found is not None else None)
        missing = [i for i, value in enumerate(line_of) if value is None]
        if missing:
            errors.add(
                15,
                np.flatnonzero(np.isin(line_key, missing) & alive),
                "order",
                lambda p: (
                    _("order %(order)s has no line for %(model)s at school %(school)s")
                    % {
                        "order": order_of_context[context_code[p]].number,
                        "model": model_texts[model_codes[p]].strip(),
                        "school": school_label(p),
                    }
                ),
                lambda p: order_of_context[context_code[p]].number,
            )
        order_line_id = np.asarray([-1 if value is None else value for value in line_of], dtype=np.int64)[line_key]

    # 16. the delivery note of each remaining row: the first row of a note defines it.
    eligible = alive & ~errors.failed & has_model & has_serial & has_note
    positions = np.flatnonzero(eligible)
    spec_of_row = np.full(count, -1, dtype=np.int64)
    if len(positions):
        programme_id_of_context = np.asarray(
            [programme.id if programme is not None else -1 for programme in programme_of], dtype=np.int64
        )
        key, first_index = combined_codes(
            (programme_id_of_context[context_code[positions]] + 1, int(programme_id_of_context.max()) + 2),
            (note_codes[positions], len(note_texts)),
            (school_key[positions], len(school_first)),
        )
        order_in_file = np.argsort(first_index, kind="stable")
        spec_number = np.empty(len(first_index), dtype=np.int64)
        spec_number[order_in_file] = np.arange(len(first_index))
        start = len(data.specs)
        for group in order_in_file:
            p = int(positions[first_index[group]])
            programme = programme_of[context_code[p]]
            order = order_of_context[context_code[p]]
            school = school_info[school_key[p]]
            importer._spec_index[(programme.id, note_texts[note_codes[p]], school[0])] = len(data.specs)
            data.specs.append(
                DeliverySpec(
                    programme_id=programme.id,
                    programme_code=programme.code,
                    authority_id=programme.authority_id,
                    note_number=note_texts[note_codes[p]],
                    school_id=school[0],
                    school_label=school[2],
                    delivered_on=day_of[date_codes[p]],
                    order_id=order.id if order else None,
                    order_number=order.number if order else "",
                    supplier_id=supplier_of_context[context_code[p]],
                    funding_source_id=order.funding_source_id if order else None,
                    site_id=None if site_id[p] < 0 else int(site_id[p]),
                    first_line=int(line[p]),
                )
            )
        row_spec = spec_number[key] + start
        first_row = positions[first_index[key]]
        # Two texts may name the same day (01.10.2024 and 2024-10-01): compare the days.
        ordinal_of_date = np.asarray(
            [day.toordinal() if isinstance(day, datetime.date) else -1 for day in day_of], dtype=np.int64
        )
        other_date = ordinal_of_date[date_codes[positions]] != ordinal_of_date[date_codes[first_row]]
        order_id_of_context = np.asarray(
            [order.id if order is not None else -1 for order in order_of_context], dtype=np.int64
        )
        other_order = (~other_date) & (
            (order_id_of_context[context_code[positions]] != order_id_of_context[context_code[first_row]])
            | (supplier_code[positions] != supplier_code[first_row])
        )

        def spec_at(p: int) -> DeliverySpec:
            return data.specs[int(row_spec[np.searchsorted(positions, p)])]

        if other_date.any():
            errors.add(
                16,
                positions[other_date],
                "delivered_on",
                lambda p: (
                    _("delivery note %(note)s to %(school)s is dated %(date)s on line %(line)s; one note, one date")
                    % {
                        "note": note_texts[note_codes[p]],
                        "school": school_label(p),
                        "date": spec_at(p).delivered_on.isoformat(),
                        "line": spec_at(p).first_line,
                    }
                ),
                lambda p: day_of[date_codes[p]].isoformat(),
            )
        if other_order.any():
            errors.add(
                16,
                positions[other_order],
                "order",
                lambda p: (
                    _(
                        "delivery note %(note)s to %(school)s has another order or supplier on line %(line)s; "
                        "one note, one order"
                    )
                    % {
                        "note": note_texts[note_codes[p]],
                        "school": school_label(p),
                        "line": spec_at(p).first_line,
                    }
                ),
                lambda p: order_of_context[context_code[p]].number if order_of_context[context_code[p]] else "",
            )
        kept = ~(other_date | other_order)
        spec_of_row[positions[kept]] = row_spec[kept]
        mixed = site_id[positions[kept]] != site_id[first_row[kept]]
        for spec_index in np.unique(row_spec[kept][mixed]):
            data.specs[int(spec_index)].site_id = _MIXED
    candidate = spec_of_row >= 0

    # 17. serials the file repeats (per manufacturer), among the rows that name a known model.
    tracked_positions = np.flatnonzero(tracked)
    makers = pa.array(manufacturer_of, type=pa.string())
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    if len(tracked_positions):
        # Sorted by (manufacturer, serial), a repeated serial sits beside its twin: no hash table.
        maker_codes = np.asarray([manufacturer_of.index(maker) for maker in manufacturer_of], dtype=np.int32)[
            model_key[tracked_positions]
        ]
        tracked_serials = serial.take(pa.array(tracked_positions, pa.int64()))
        order = pc.sort_indices(
            pa.table({"maker": maker_codes, "serial": tracked_serials}),
            sort_keys=[("maker", "ascending"), ("serial", "ascending")],
        ).to_numpy()
        sorted_serials = tracked_serials.take(pa.array(order))
        del tracked_serials
        same = pc.equal(sorted_serials.slice(1), sorted_serials.slice(0, len(order) - 1)).to_numpy(
            zero_copy_only=False
        ) & (maker_codes[order[1:]] == maker_codes[order[:-1]])
        del sorted_serials
        if same.any():
            twin = np.zeros(len(order), dtype=bool)
            twin[1:] |= same
            twin[:-1] |= same
            repeated_rows = np.sort(tracked_positions[order[twin]])
            # No null in either: serials are '' when missing, makers come from manufacturer_of.
            serial_rows = cast(list[str], serial.take(pa.array(repeated_rows)).to_pylist())
            maker_rows = cast(list[str], makers.take(pa.array(model_key[repeated_rows])).to_pylist())
            for position, maker, text in zip(repeated_rows, maker_rows, serial_rows, strict=True):
                groups[(maker, text)].append(int(position))
        del order, same
    plan.rejected.extend(errors.ordered())
    serial_column = importer.column("serial")
    for (maker, text), members in groups.items():
        member_lines = [int(line[p]) for p in members]
        for member, member_line in zip(members, member_lines, strict=True):
            others_text = ", ".join(str(other) for other in member_lines if other != member_line)
            plan.rejected.append(
                RowError(
                    member_line,
                    serial_column,
                    _("serial %(serial)s (%(manufacturer)s) appears again on line(s) %(lines)s")
                    % {"serial": text, "manufacturer": maker, "lines": others_text},
                    text,
                )
            )
            candidate[member] = False

    pa.default_memory_pool().release_unused()

    # 18. delivery notes already stored: link them; one that says otherwise rejects its rows.
    positions = np.flatnonzero(candidate)
    importer._check_existing_deliveries(
        data, zip(line[positions].tolist(), spec_of_row[positions].tolist(), strict=True), plan
    )
    if importer._rejected_by_delivery:
        candidate &= ~np.isin(line, np.fromiter(importer._rejected_by_delivery, dtype=np.int64))
    positions = np.flatnonzero(candidate)
    if not len(positions):
        return plan

    # 19. stage the candidates (a slice at a time) and compare them with the stored devices in SQL.
    existing_delivery = np.asarray(
        [spec.existing_id if spec.existing_id is not None else -1 for spec in data.specs], dtype=np.int64
    )
    device_types = pa.array([model[2] if model else "" for model in model_info], type=pa.string())
    conditions = pa.array(condition_of, type=pa.string())
    hash_text = python_strip(columns.text("autopilot_hash"))
    del columns

    def ids(values: np.ndarray) -> pa.Array:
        return pa.array(values, type=pa.int64(), mask=values < 0)

    def staged(part: np.ndarray) -> pa.Table:
        taken = pa.array(part)
        models = pa.array(model_key[part], type=pa.int32())
        spec_rows = spec_of_row[part]
        return pa.table(
            {
                "line": pa.array(line[part], type=pa.int32()),
                "spec": pa.array(spec_rows, type=pa.int32()),
                "manufacturer": pa.DictionaryArray.from_arrays(models, makers),
                "serial": serial.take(taken),
                "model_id": pa.array(model_id[part], type=pa.int64()),
                "device_type": pa.DictionaryArray.from_arrays(models, device_types),
                "asset_tag": texts["asset_tag"].take(taken),
                "mac_address": mac_normal.take(taken),
                "autopilot_hash": hash_text.take(taken),
                "windows_product_id": texts["windows_product_id"].take(taken),
                "google_device_id": texts["google_device_id"].take(taken),
                "condition": pa.DictionaryArray.from_arrays(
                    pa.array(condition_codes[part], type=pa.int32()), conditions
                ),
                "order_line_id": ids(order_line_id[part]),
                "site_id": ids(site_id[part]),
                "delivery_id": ids(existing_delivery[spec_rows]),
            }
        )

    with unmapped():
        stage_rows(staged(positions[start : start + STAGE_SLICE]) for start in range(0, len(positions), STAGE_SLICE))
        _decide_in_sql(importer, data, plan)
    return plan


# -- the staging table ---------------------------------------------------------------------------


@contextlib.contextmanager
def unmapped():
    """SQLite without memory-mapped reads while the import joins a million rows: the settings map
    up to 256 MB of the database file into the process, which would count as the import's memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        found = cursor.fetchone()  # nothing for an in-memory database
        if not found or not found[0]:
            size = None
        else:
            size = found[0]
            cursor.execute("PRAGMA mmap_size=0")
    if size is None:
        yield
        return
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA mmap_size={int(size)}")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def drop_stage() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE_SPECS}")


def stage_rows(tables: Iterable[pa.Table]) -> None:
    """Put the candidate rows in a TEMP table of this connection (COPY on PostgreSQL)."""
    drop_stage()
    definition = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    # One transaction: SQLite would otherwise commit every row of the executemany on its own.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {STAGE} ({definition})")
        names = ", ".join(name for name, _kind in STAGE_COLUMNS)
        if connection.vendor == "postgresql":
            options = pa_csv.WriteOptions(include_header=False)
            with cursor.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
                for table in tables:
                    for batch in table.to_batches(max_chunksize=50_000):
                        buffer = io.BytesIO()
                        pa_csv.write_csv(batch, buffer, options)
                        copy.write(buffer.getbuffer())
            cursor.execute(f"CREATE INDEX ON {STAGE} (spec)")
            cursor.execute(f"ANALYZE {STAGE}")
        else:
            sql = f"INSERT INTO {STAGE} ({names}) VALUES ({', '.join(['%s'] * len(STAGE_COLUMNS))})"
            for table in tables:
                for batch in table.to_batches(max_chunksize=50_000):
                    # Django takes any iterable of rows here (its SQLite cursor tees it); the stubs want a Sequence.
                    rows = zip(*(column.to_pylist() for column in batch.columns), strict=True)
                    cursor.executemany(sql, rows)  # type: ignore[arg-type]
            cursor.execute(f"CREATE INDEX {STAGE}_spec ON {STAGE} (spec)")


def _same(left: str, right: str) -> str:
    operator = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    return f"({left} {operator} {right})"


def _match_sql() -> str:
    device = _quote(Device._meta.db_table)
    return f"{STAGE} s JOIN {device} d ON d.manufacturer = s.manufacturer AND d.serial = s.serial"


def _unchanged_sql() -> str:
    """The row names a device of its own (stored) delivery with the same data: nothing to do."""
    return " AND ".join(
        [
            "s.delivery_id IS NOT NULL",
            "d.delivery_id = s.delivery_id",
            "d.device_model_id = s.model_id",
            "d.asset_tag = s.asset_tag",
            "d.mac_address = s.mac_address",
            "d.autopilot_hash = s.autopilot_hash",
            "d.windows_product_id = s.windows_product_id",
            "d.google_device_id = s.google_device_id",
            "d.condition = s.condition",
            _same("d.order_line_id", "s.order_line_id"),
            _same("d.site_id", "s.site_id"),
        ]
    )


def _decide_in_sql(importer, data, plan: Plan) -> None:
    """Each staged row is created, unchanged, or rejected (as ``DeliveryImporter._decide``)."""
    from .deliveries import R_LINE

    device = _quote(Device._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.spec, COUNT(*) FROM {_match_sql()} WHERE {_unchanged_sql()} GROUP BY s.spec")
        for spec_index, unchanged in cursor.fetchall():
            data.specs[spec_index].unchanged += unchanged
            plan.unchanged += unchanged
        # Stored devices named with other data, or from elsewhere: the row-by-row messages.
        cursor.execute(
            f"SELECT s.line, s.manufacturer, s.serial, s.model_id, s.asset_tag, s.mac_address, s.autopilot_hash, "
            f"s.windows_product_id, s.google_device_id, s.condition, s.spec, s.order_line_id, s.site_id "
            f"FROM {_match_sql()} WHERE NOT ({_unchanged_sql()}) ORDER BY s.line"
        )
        conflicting = [tuple(row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT s.spec, COUNT(*) FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {device} d "
            f"WHERE d.manufacturer = s.manufacturer AND d.serial = s.serial) GROUP BY s.spec"
        )
        new_per_spec = cursor.fetchall()
        accepted = sorted(spec for spec, _count in new_per_spec if spec in importer._accepted_specs)
        refused_new: list[tuple] = []
        if accepted:
            cursor.execute(
                f"SELECT s.line, s.manufacturer, s.serial, s.model_id, s.asset_tag, s.mac_address, s.autopilot_hash, "
                f"s.windows_product_id, s.google_device_id, s.condition, s.spec, s.order_line_id, s.site_id "
                f"FROM {STAGE} s WHERE s.spec IN ({', '.join(str(int(spec)) for spec in accepted)}) "
                f"AND NOT EXISTS (SELECT 1 FROM {device} d WHERE d.manufacturer = s.manufacturer "
                f"AND d.serial = s.serial) ORDER BY s.line"
            )
            refused_new = [tuple(row) for row in cursor.fetchall()]
    for spec_index, new in new_per_spec:
        if spec_index in importer._accepted_specs:
            continue
        data.specs[spec_index].created += new
        plan.created += new
    rows = sorted(conflicting + refused_new, key=lambda row: row[R_LINE])
    if rows:
        existing = importer._existing_devices(rows, {})
        rows_before = len(data.rows)
        importer._decide(data, rows, existing, plan)
        # Rows of accepted deliveries are refused there; none of these rows is created.
        del data.rows[rows_before:]


def commit_staged(importer, plan: Plan) -> None:
    """Write the plan of ``plan_columns``: deliveries, then devices and events from the staging table."""
    with unmapped():
        _commit_staged(importer, plan)


def _commit_staged(importer, plan: Plan) -> None:
    from .deliveries import status_time

    data = plan.data
    if not plan.created:
        drop_stage()
        return
    now = timezone.now()
    created_by = importer.actor if getattr(importer.actor, "pk", None) else None
    used = [index for index, spec in enumerate(data.specs) if spec.created]
    new_specs = [data.specs[index] for index in used if data.specs[index].existing_id is None]
    from .deliveries import _MIXED

    bulk_insert(
        Delivery,
        [
            "supplier",
            "order",
            "programme",
            "school",
            "site",
            "note_number",
            "delivered_on",
            "created_by",
            "acceptance",
            "acceptance_note",
            "created_at",
        ],
        (
            (
                spec.supplier_id,
                spec.order_id,
                spec.programme_id,
                spec.school_id,
                None if spec.site_id is _MIXED else spec.site_id,
                spec.note_number,
                spec.delivered_on,
                created_by.pk if created_by else None,
                Delivery.Acceptance.PENDING,
                "",
                now,
            )
            for spec in new_specs
        ),
    )
    importer._fetch_delivery_ids(new_specs)
    reason = _("Delivered")
    postgres = connection.vendor == "postgresql"

    def moment(value: datetime.datetime):
        return value if postgres else connection.ops.adapt_datetimefield_value(value)

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {STAGE_SPECS} (spec integer PRIMARY KEY, delivery_id bigint, programme_id bigint, "
            f"funding_source_id bigint, school_id bigint, supplier_id bigint, delivered_on date, "
            f"status_at {'timestamptz' if postgres else 'text'}, reason text)"
        )
    moments: dict[datetime.date, object] = {}
    for index in used:
        day = data.specs[index].delivered_on
        if day not in moments:
            moments[day] = moment(status_time(day, now))
    bulk_rows = (
        (
            index,
            data.specs[index].id,
            data.specs[index].programme_id,
            data.specs[index].funding_source_id,
            data.specs[index].school_id,
            data.specs[index].supplier_id,
            data.specs[index].delivered_on if postgres else data.specs[index].delivered_on.isoformat(),
            moments[data.specs[index].delivered_on],
            f"{reason}: {data.specs[index].note_number}"[:500],
        )
        for index in used
    )
    _insert_plain(STAGE_SPECS, 9, bulk_rows)
    device = _quote(Device._meta.db_table)
    event = _quote(DeviceEvent._meta.db_table)
    actor_id, actor_label = _actor_fields(importer.actor)
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"ANALYZE {STAGE_SPECS}")
        insert_devices = (
            f"INSERT INTO {device} (serial, manufacturer, device_model_id, device_type, condition, asset_tag, "
            "mac_address, autopilot_hash, windows_product_id, google_device_id, programme_id, funding_source_id, "
            "school_id, site_id, supplier_id, delivery_id, order_line_id, status, status_changed_at, delivered_on, "
            "discrepancy, created_at) "
            "SELECT s.serial, s.manufacturer, s.model_id, s.device_type, s.condition, s.asset_tag, s.mac_address, "
            "s.autopilot_hash, s.windows_product_id, s.google_device_id, p.programme_id, p.funding_source_id, "
            "p.school_id, s.site_id, p.supplier_id, p.delivery_id, s.order_line_id, %s, p.status_at, "
            f"p.delivered_on, '', %s FROM {STAGE} s JOIN {STAGE_SPECS} p ON p.spec = s.spec "
            f"WHERE NOT EXISTS (SELECT 1 FROM {device} d WHERE d.manufacturer = s.manufacturer "
            "AND d.serial = s.serial) ORDER BY s.line"
        )
        event_columns = "device_id, status, previous_status, occurred_at, actor_id, actor_label, reason, data"
        if postgres:
            # The new ids come back from the INSERT itself and feed the events: no lookup at all.
            cursor.execute(
                f"WITH new AS ({insert_devices} RETURNING id, delivery_id) "
                f"INSERT INTO {event} ({event_columns}) SELECT new.id, %s, '', p.status_at, %s, %s, p.reason, "
                f"'{{}}'::jsonb FROM new JOIN {STAGE_SPECS} p ON p.delivery_id = new.delivery_id",
                [DeviceStatus.DELIVERED, moment(now), DeviceStatus.DELIVERED, actor_id, actor_label],
            )
            written = cursor.rowcount
        else:
            cursor.execute(insert_devices, [DeviceStatus.DELIVERED, moment(now)])
            written = cursor.rowcount
            cursor.execute(
                f"INSERT INTO {event} ({event_columns}) SELECT d.id, %s, '', p.status_at, %s, %s, p.reason, '{{}}' "
                f"FROM {STAGE} s JOIN {STAGE_SPECS} p ON p.spec = s.spec JOIN {device} d "
                "ON d.manufacturer = s.manufacturer AND d.serial = s.serial AND d.delivery_id = p.delivery_id "
                "AND d.created_at = %s ORDER BY d.id",
                [DeviceStatus.DELIVERED, actor_id, actor_label, moment(now)],
            )
            if cursor.rowcount != written:
                raise ImportFileError(_("the lifecycle events do not match the devices written; import again"))
        if written != plan.created:
            raise ImportFileError(
                _("%(written)s devices written instead of %(planned)s: devices changed during the import; import again")
                % {"written": written, "planned": plan.created}
            )
        if postgres:
            for model in (Delivery, Device, DeviceEvent):
                cursor.execute(f"ANALYZE {_quote(model._meta.db_table)}")
    drop_stage()
    importer._audit(data, used, plan)
    importer._refresh_orders({data.specs[index].order_id for index in used} - {None})


def _insert_plain(table: str, width: int, rows) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            return
        cursor.executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * width)})", list(rows))
