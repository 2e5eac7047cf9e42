"""Pictures of the articles, copied from the outlets and served by the site itself.

``models``: a stored picture (``StoredImage``, shared by every article that shows it) and each
article's pictures (``ArticleImage``). ``storage``: the rendition files in the data directory.
``render``: the markup that shows them. The ingest stage that fills them is ``newsdesk.ingest.images``.
"""
