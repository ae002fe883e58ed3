"""Time the school list page and the API list, filtered and sorted, on a full registry.

Run by bench/run.py against the database the import benchmark filled. Requests go through
Django's test Client in this process, so the figure is the server's time for the whole request
(middleware, permissions, queries, rendering), without a network. Prints one JSON line.
"""

import argparse
import json
import statistics
import time

from _setup import bench_admin, setup

PAGE_QUERIES = [
    "",
    "?sort=name",
    "?q=Grund&sort=-pupils_total",
    "?level=2&sort=city",
    "?sector=private&status=open&sort=-ses_value",
    "?ses_min=1&ses_max=3&sort=ses_value",
    "?pupils_min=500&sort=-pupils_total&page=3",
    "?q=751&sort=number",
]
API_QUERIES = [
    "",
    "?ordering=name",
    "?q=Grund&ordering=-pupils_total",
    "?level=2&ordering=city",
    "?sector=private&status=open&ordering=-ses_value",
    "?ses_min=1&ses_max=3&ordering=ses_value",
    "?pupils_min=500&ordering=-pupils_total",
    "?number=75100009",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from digileap.accounts.models import RoleAssignment, User
    from digileap.schools.models import School, SchoolOperator

    if connection.vendor == "postgresql":
        # The import has just filled the tables and autovacuum has not come by yet. A database in use
        # has planner statistics (without them PostgreSQL guesses its plans) and a visibility map
        # (without it a count cannot be answered from an index alone).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    admin = bench_admin()
    # Operator staff of the operator with the most schools: the largest list such a user sees.
    operator = SchoolOperator.objects.annotate(n=Count("schools")).order_by("-n", "id").first()
    staff, _created = User.objects.get_or_create(username="bench-operator-staff")
    RoleAssignment.objects.get_or_create(user=staff, role="operator_staff", scope_kind="operator", operator=operator)
    users = {"administrator": admin, "operator staff": staff}
    targets: dict[str, tuple[str | None, list[str]]] = {}
    for label, name, queries in (
        ("page /schools/", "schools:school-list", PAGE_QUERIES),
        ("API /api/schools/", "school-list", API_QUERIES),
    ):
        try:
            targets[label] = (reverse(name), queries)
        except NoReverseMatch:
            targets[label] = (None, queries)
    assert operator is not None  # the bench's schools have operators
    runs: list[dict[str, object]] = []
    result = {"schools": School.objects.count(), "operator_schools": operator.schools.count(), "runs": runs}
    for target, (url, queries) in targets.items():
        for role, user in users.items():
            if url is None:
                runs.append({"target": target, "role": role, "missing": True})
                continue
            client = Client()
            client.force_login(user)
            for query in queries:  # warm up: templates, caches, the database's pages
                client.get(url + query)
            timings: list[float] = []
            statuses: dict[int, int] = {}
            by_query: dict[str, list[float]] = {}
            for index in range(args.requests):
                query = queries[index % len(queries)]
                started = time.perf_counter()
                response = client.get(url + query)
                timings.append((time.perf_counter() - started) * 1000)
                by_query.setdefault(query, []).append(timings[-1])
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            runs.append(
                {
                    "target": target,
                    "role": role,
                    "requests": len(timings),
                    "median_ms": statistics.median(timings),
                    "p95_ms": percentile(timings, 0.95),
                    "max_ms": max(timings),
                    "statuses": statuses,
                    # Which filters cost what: the slowest query decides the p95.
                    "median_ms_by_query": {query: statistics.median(values) for query, values in by_query.items()},
                }
            )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
