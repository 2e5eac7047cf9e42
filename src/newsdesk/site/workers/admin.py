from django.contrib import admin, messages
from django.utils.text import Truncator

from .models import QueuedTask, TaskFailure


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    """Tasks that failed on every attempt: what, why, and a way to run them again."""

    list_display = ("task", "key", "short_error", "attempts", "source", "last_failed_at", "resolved")
    list_filter = ("resolved", "task", "source")
    search_fields = ("key", "error")
    readonly_fields = ("task", "arguments", "key", "error", "attempts", "source", "created_at", "last_failed_at")
    actions = ["run_again", "dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="error")
    def short_error(self, failure):
        return Truncator(failure.error).chars(100)

    @admin.action(description="Run again")
    def run_again(self, request, queryset):
        from newsdesk.ingest import worker
        from newsdesk.ingest.fetching import distributed

        if not distributed():
            self.message_user(request, "No broker is configured (NEWSDESK_BROKER_URL): nothing can be queued.",
                              messages.ERROR)
            return
        worker.configure()
        queued = 0
        for failure in queryset.filter(resolved=False):
            task = worker.app.tasks.get(failure.task)
            if task is not None:
                worker.publish(task, tuple(failure.arguments))
                queued += 1
        self.message_user(request, f"Queued {queued} task(s) again; each is marked resolved when it succeeds.",
                          messages.SUCCESS)

    @admin.action(description="Dismiss")
    def dismiss(self, request, queryset):
        self.message_user(request, f"Dismissed {queryset.update(resolved=True)} failure(s).", messages.SUCCESS)


@admin.register(QueuedTask)
class QueuedTaskAdmin(admin.ModelAdmin):
    """Tasks queued and not done yet. Rows waiting for the broker, or sent again and again, say
    the broker, the workers or the scheduler are not running."""

    list_display = ("task", "args", "sent_at", "resent", "due_at", "created_at")
    list_filter = ("task",)
    readonly_fields = ("task", "args", "kwargs", "retries", "due_at", "sent_at", "resent", "created_at", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
