"""Entry point for ``python -m hepmass`` and ``torchrun -m hepmass``."""

from hepmass.cli import main

if __name__ == "__main__":
    main()
