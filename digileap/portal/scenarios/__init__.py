"""The seed programmes played at their real size through the services (``manage.py load_seed_scenario``).

Each scenario is listed once here, by its name, as "module:Class" (imported only when it runs).
How a scenario is written: ``base.py``'s docstring.
"""

from importlib import import_module

SCENARIOS: dict[str, str] = {
    "brussels": "digileap.portal.scenarios.brussels:Brussels",
    "flanders": "digileap.portal.scenarios.flanders:Flanders",
    "ghent": "digileap.portal.scenarios.ghent:Ghent",
    "latvia": "digileap.portal.scenarios.latvia:Latvia",
    "mv": "digileap.portal.scenarios.mv:Mecklenburg",
}


def scenario_names() -> list[str]:
    """The names of the scenarios, in the seeds' order."""
    return list(SCENARIOS)


def get_scenario(name: str):
    """An instance of the scenario called ``name`` (KeyError for an unknown name)."""
    module_path, class_name = SCENARIOS[name].split(":")
    return getattr(import_module(module_path), class_name)()
