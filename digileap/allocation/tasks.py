"""Background work of the allocation app: the roll-out plan optimiser.

``plan_optimise`` (services/plans.py) marks a draft version OPTIMISING and enqueues
``optimise_rollout`` once its transaction commits; the worker (``manage.py db_worker``) runs it.
"""

from django_tasks import task


@task()
def optimise_rollout(version_id: int) -> dict:
    """Place the schools of a roll-out plan version (its progress is written on the version)."""
    from .services.plans import version_optimise_run

    version = version_optimise_run(version_id=version_id)
    return {"status": version.status, "error": version.error, "solver_status": version.solver.get("status")}
