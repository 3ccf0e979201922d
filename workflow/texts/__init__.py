"""The Japanese text people read, one catalogue per audience.

``resident`` (LINE and the web form), ``staff`` (desk pages, exports, disaster HQ) and ``crew``
(the QR stop pages); the worksheets' text is in ``print.texts``. Use cases raise errors with a
code and values (``workflow.errors``); the edge turns them into sentences with ``sentences``.
"""
