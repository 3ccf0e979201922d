"""The Japanese text people read, one catalogue per audience.

``resident`` (LINE and the web form), ``staff`` (desk pages, exports, disaster HQ), ``crew``
(the QR stop pages) and ``towns`` (the platform operator: the town registry); the worksheets'
text is in ``print.texts``. Use cases raise errors with a code and values
(``workflow.errors``); the edge turns them into sentences with ``sentences``.
"""
