"""``python -m sopflow``: the same command line as the ``sopflow`` script."""

from sopflow.cli import main

if __name__ == "__main__":
    main()
