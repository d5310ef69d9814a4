# Developer shortcuts; CI runs .ci/run (install, then pytest).
.PHONY: test check bench bench-night

test:
	pytest

# format, lint, types and tests: the one command before a commit
check:
	ruff format --check pipeline tests benchmarks
	ruff check pipeline tests benchmarks
	mypy pipeline tests benchmarks
	pytest

bench:
	python -m benchmarks.cluster_eval
	python -m benchmarks.llm_tokens
	python -m benchmarks.pipeline_run
	python -m benchmarks.prefect_overhead --write benchmarks/RESULTS.md
	python -m benchmarks.night --articles 2000 --llm-latency 2.0

# the whole-night benchmark alone (10-20 minutes on a busy 2-core machine)
bench-night:
	python -m benchmarks.night --articles 2000 --llm-latency 2.0
