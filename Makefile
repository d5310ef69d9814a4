# Developer shortcuts; CI runs .ci/run (install, then pytest).
.PHONY: test check bench

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
