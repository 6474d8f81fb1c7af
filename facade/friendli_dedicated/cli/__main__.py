"""``python -m friendli_dedicated.cli``: the same as the ``friendli-dedicated`` console script."""

from friendli_dedicated.cli import main

if __name__ == "__main__":
    main()
