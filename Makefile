# まち Machi — the two commands: `make run` and `make test`. See README.md.
.PHONY: setup run test lint db-down clean

setup:
	bash scripts/setup.sh run

run: setup
	.venv/bin/machi migrate
	.venv/bin/machi demo load
	.venv/bin/machi serve --with-worker

test:
	bash scripts/setup.sh test
	.venv/bin/pytest $(PYTEST_ARGS)

lint:
	bash scripts/setup.sh run
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy .
	.venv/bin/lint-imports

db-down:
	.venv/bin/machi db down

clean: db-down
	rm -rf var .venv
