# IDCheck: the usual entry points.
.PHONY: run demo test fake-services measure setup

run:
	scripts/run.sh

demo:
	scripts/run.sh --demo

test:
	scripts/test.sh

setup:
	scripts/setup.sh

# The five vendor fakes on loopback, standalone (prints the environment to point the app at them).
fake-services:
	cargo run -p idcheck-fake --bin fake-services

measure:
	scripts/measure.sh
