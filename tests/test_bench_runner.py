"""``python -m bench`` survives a failing benchmark and writes every figure beside its baseline."""

import subprocess
import sys

import bench.__main__ as runner


def _result(name, figures, status="ok"):
    return {"name": name, "status": status, "figures": figures, "markdown": f"## {name}", "seconds": 1.0}


def test_it_writes_goals_beside_same_run_baselines(tmp_path):
    results = [
        _result("baselines", {"hello_world_rps": 1000, "smtplib_msgs_per_s": 400}),
        _result("pages", {"cached_rps": 700, "hello_world_rps": 1000, "max_queries": 9, "max_cold_median_ms": 12}),
        _result("alerts", {"msgs_per_s": 100, "total_s": 12, "duplicates": 0}),
        {**_result("scrape", {}, status="failed: exit 1"), "error": "Traceback: boom"},
        _result("extraction_eval", {}, status="missing"),
    ]
    report = tmp_path / "REPORT.md"
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0"}
    runner.write_report(report, results, env, runner.datetime.datetime(2026, 1, 1))
    text = report.read_text()
    assert "| cpus (nproc) |" in text and "| Django |" in text and "2026-01-01" in text
    assert "| pages | cached_rps | 700 | pages.hello_world_rps = 1,000 | 0.70× | cached pages ≥ 60 % of hello-world | yes |" in text
    assert "| pages | max_queries | 9 |" in text and "≤ 8 queries per page | **no** |" in text
    assert "| alerts | msgs_per_s | 100 | baselines.smtplib_msgs_per_s = 400 | 0.25× |" in text
    assert "failed: exit 1" in text and "Traceback: boom" in text
    assert "Not present in this checkout." in text


def test_it_reports_a_missing_module_without_running_it():
    assert runner._run_module("no_such_bench", 10, {})["status"] == "missing"


def test_it_rejects_unknown_module_names():
    result = subprocess.run([sys.executable, "-m", "bench", "--only", "nope"], capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr
