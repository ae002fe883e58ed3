"""Write the benchmark's registry file: 40,000 schools, `;`-separated, Windows-1252, decimal commas.

That is how Excel saves a CSV on a German or Dutch desktop. The schools come from the demo
generator (German and Flemish flavour: Latvian names do not fit Windows-1252), one school year
with enrolment by level and, for about a third of the schools, by grade.
"""

import argparse

from _setup import setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    setup()
    from digileap.portal.demo import SCHOOL_YEARS, generate, registry_csv

    registry = generate(schools=args.schools, seed=args.seed, flavours=("de", "nl"))
    text = registry_csv(registry, SCHOOL_YEARS[-1], delimiter=";", decimal_comma=True)
    with open(args.path, "wb") as stream:
        stream.write(text.encode("cp1252"))


if __name__ == "__main__":
    main()
