"""``python -m archguard``."""

from archguard.cli.main import run

if __name__ == "__main__":
    run()
