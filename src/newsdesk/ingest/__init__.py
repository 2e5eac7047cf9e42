"""The one place that joins the pure pipeline to the database.

``services`` holds the operations (add a source, poll it, store an article); ``tasks`` wraps them
as small id-taking jobs; ``scheduler`` runs due polls in background threads.
"""
