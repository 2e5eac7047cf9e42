"""State that the processes of a distributed deployment share, kept in the database.

``models``: leases with expiry (``Lease``: one holder per name until it lets go or its time runs
out, so a killed worker's lease frees itself), the next start allowed toward each host
(``HostTurn``), robots.txt as fetched once for all workers (``RobotsRule``), the tasks that
failed for good (``TaskFailure``, listed in the admin), and every task queued and not yet done
(``QueuedTask``: sent when the broker is back, sent again when the broker lost it).
``newsdesk.ingest.coordination`` and ``newsdesk.ingest.worker`` use them.
"""
