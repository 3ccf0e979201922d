"""What residents read, on LINE and on the web form.

``line`` and ``bulky`` (the LINE dialogues), ``web`` (the form ``/r/``), ``booking`` (receipts,
reminders, put-out rules) and ``errors`` (the use cases' refusals, by error code).
"""
