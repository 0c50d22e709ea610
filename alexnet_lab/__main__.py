"""``python -m alexnet_lab`` runs the same app as the ``alexnet-lab`` command."""

from alexnet_lab.cli import main

if __name__ == "__main__":
    main()
