"""Vietnamese administrative vocabulary: the one home for the words every layer needs.

Document kinds and their symbols (``vocab.documents``), provinces before and after the 2025
reorganisation (``vocab.provinces``), bodies and their other names (``vocab.bodies``), and the
question words of answer kinds (``vocab.questions``). Data that is a list lives in ``vocab/data/``.
Nothing here imports ``ingest``, ``index`` or ``assistant``: they all import from here.
"""
