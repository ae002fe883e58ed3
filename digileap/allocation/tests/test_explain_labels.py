"""The words of a line's explanation for its pupil inputs, including a year given only as a total."""

from digileap.allocation.templatetags.allocation_explain import explanation


def test_pupil_inputs_by_level_grade_and_a_total_without_levels():
    words = explanation({"inputs": {"pupils": {"1/0": 120, "2/5": 30, "None/0": 412}}}, is_money=True)
    assert words["inputs"][:3] == [
        ("Primary, all grades", "120"),
        ("Lower secondary, grade 5", "30"),
        ("All levels (no breakdown given)", "412"),
    ]
