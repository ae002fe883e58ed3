"""The devices figures of ``make bench`` as tables (devices_import.py and devices_scale.py)."""


def _ms(run: dict) -> list[str]:
    return [f"{run['requests']}", f"{run['median_ms']:.1f}", f"{run['p95_ms']:.1f}"]


def report_lines(results: list[dict], table) -> list[str]:
    lines: list[str] = []
    imports = [r for r in results if "deliveries" in r]
    if imports:
        rows = []
        for r in imports:
            d = r["deliveries"]
            for label, key in (("into an empty database", "empty"), ("again, every row unchanged", "again")):
                f = d[key]
                rows.append(
                    [
                        f"{r['backend']}: {label}",
                        f"{f['seconds']:.1f}",
                        f"{f['rows'] / f['seconds']:,.0f}",
                        f"{f['maxrss_mb_after']:.0f}",
                        f"{f['created']}/{f['updated']}/{f['unchanged']}/{f['rejected']}",
                    ]
                )
            e = d["evidence"]
            rows.append(
                [
                    f"{r['backend']}: evidence pack listing every device",
                    f"{e['seconds']:.1f}",
                    f"{d['devices'] / e['seconds']:,.0f}",
                    f"{e['maxrss_mb_after']:.0f}",
                    f"{e['bytes'] / 1e6:.1f} MB zip",
                ]
            )
        first = imports[0]["deliveries"]
        lines += [
            "",
            f"Delivery file of {first['empty']['rows']:,} devices (';', Windows-1252; aim: < 30 s, < 500 MB); "
            "evidence pack of them all (aim: < 60 s, < 500 MB)",
            table(rows, ["what", "seconds", "rows/s", "process max RSS MB", "created/updated/unchanged/rejected"]),
            f"(devices {first['devices']:,}, lifecycle events {first['events']:,}; max RSS includes Django, "
            f"about {first['empty']['maxrss_mb_before']:.0f} MB before the import)",
        ]
    scale = [r for r in results if "devices" in r]
    if scale:
        rows = []
        for r in scale:
            d = r["devices"]
            for run in d["runs"]:
                rows.append([f"{r['backend']}: {run['what']}", *_ms(run)])
            for run in d["indicators"]:
                rows.append([f"{r['backend']}: {run['what']}", *_ms(run)])
            for run in d["dashboard"]:
                rows.append([f"{r['backend']}: {run['what']}", *_ms(run)])
            rows.append([f"{r['backend']}: scan loop, scan", *_ms(d["scan"]["scan"])])
            rows.append([f"{r['backend']}: scan loop, confirm", *_ms(d["scan"]["confirm"])])
        first = scale[0]["devices"]
        lines += [
            "",
            f"{first['devices']:,} devices over {first['schools']:,} schools, {first['deployed']:,} handed out "
            "(server time per request; aims: lists p95 < 50 ms, dashboard p95 < 300 ms, scan p95 < 50 ms)",
            table(rows, ["what", "requests", "median ms", "p95 ms"]),
            f"(values: {', '.join(f'{k}: {v}' for k, v in first['values'].items())}; "
            f"built in {first['build_seconds']:.0f} s; scan loop handed out {first['scan']['handed_out']} of 30)",
        ]
    return lines
