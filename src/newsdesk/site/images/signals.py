"""Pictures go when their article goes: an article's pictures are deleted with it (CASCADE),
and a stored picture no article shows any more is deleted once that transaction commits, with
its files. Deleting articles in the admin, by retention or by hand all end here."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.deletion import ProtectedError
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import storage
from .models import ArticleImage, StoredImage


def sweep() -> int:
    """Delete every stored picture no article shows; returns how many went."""
    unused = StoredImage.objects.filter(~Exists(ArticleImage.objects.filter(image=OuterRef("pk"))))
    try:
        with transaction.atomic():
            return unused.delete()[1].get(StoredImage._meta.label, 0)
    except (ProtectedError, IntegrityError):
        return 0  # an article took one of them meanwhile: the next sweep tries again


class _Sweep:
    """The sweep waiting for the current transaction to commit."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        sweep()


def sweep_after_commit() -> None:
    """Sweep once the current transaction commits (at once outside one), once per transaction."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(isinstance(callback, _Sweep) and not callback.done
                                          for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_Sweep())


@receiver(post_delete, sender=ArticleImage)
def picture_removed(sender, instance: ArticleImage, **kwargs) -> None:
    if instance.image_id is not None:
        sweep_after_commit()


@receiver(post_delete, sender=StoredImage)
def stored_image_deleted(sender, instance: StoredImage, **kwargs) -> None:
    names, digest = instance.file_names(), instance.sha256

    def remove() -> None:
        # The same picture stored again meanwhile has the same file names: leave them.
        if not StoredImage.objects.filter(sha256=digest).exists():
            storage.delete(names)

    transaction.on_commit(remove)
