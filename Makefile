# AI Co-Founder. The two commands: `make run` and `make test`.
.PHONY: run test dev setup setup-test bench migrate clean

run: setup
	@scripts/run.sh

test: setup-test
	@scripts/test.sh

dev: setup
	@scripts/dev.sh

setup:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

migrate: setup
	@. scripts/env.sh && alembic upgrade head

bench: setup-test
	@. scripts/env.sh && python bench/event_latency.py

clean:
	rm -rf .web .states .apps .pytest_cache
