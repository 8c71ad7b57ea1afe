"""``cchc`` as a separate process with the test embedders registered:
``python -m tests.helpers.cli_fake ingest FILE --home DIR --embedder fake``."""
from tests.fakes import register_fakes


if __name__ == "__main__":
    register_fakes()
    from cchc.cli import main

    main()
