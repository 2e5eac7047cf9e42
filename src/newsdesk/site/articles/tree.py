"""The category tree, read in one query and walked in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Category


@dataclass(frozen=True)
class CategoryTree:
    """Every category, indexed by id and slug, with each one's children in display order."""

    by_id: dict[int, Category]
    children: dict[int | None, list[Category]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "CategoryTree":
        """Read all categories (one query)."""
        categories = list(Category.objects.order_by("order", "name", "pk"))
        by_id = {c.pk: c for c in categories}
        children: dict[int | None, list[Category]] = {}
        for category in categories:
            # A parent that does not exist (or a cycle) would hide a category: treat it as a root.
            parent = category.parent_id if category.parent_id in by_id else None
            children.setdefault(parent, []).append(category)
        tree = cls(by_id, children)
        for category in categories:
            if category.parent_id in by_id and not tree._reaches_root(category):
                children[category.parent_id].remove(category)
                children.setdefault(None, []).append(category)
        return tree

    def _reaches_root(self, category: Category) -> bool:
        seen, node = set(), category
        while node.parent_id in self.by_id:
            if node.pk in seen:
                return False
            seen.add(node.pk)
            node = self.by_id[node.parent_id]
        return True

    def roots(self) -> list[Category]:
        """Top-level categories in display order."""
        return list(self.children.get(None, []))

    def by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.by_id.values() if c.slug == slug), None)

    def ancestors(self, category: Category) -> list[Category]:
        """The categories above this one, from the root down to its parent."""
        chain, seen, node = [], {category.pk}, category
        while node.parent_id in self.by_id and node.parent_id not in seen:
            node = self.by_id[node.parent_id]
            seen.add(node.pk)
            chain.append(node)
        return chain[::-1]

    def path(self, category: Category) -> list[Category]:
        """Root to this category, inclusive."""
        return [*self.ancestors(category), category]

    def root_of(self, category_id: int) -> int:
        """The id of the top-level category above ``category_id`` (itself when it is one)."""
        category = self.by_id[category_id]
        ancestors = self.ancestors(category)
        return ancestors[0].pk if ancestors else category.pk

    def subtree_ids(self, category: Category) -> list[int]:
        """This category's id and those of every category below it."""
        ids, stack = [], [category]
        while stack:
            node = stack.pop()
            if node.pk in ids:
                continue
            ids.append(node.pk)
            stack.extend(self.children.get(node.pk, []))
        return ids

    def flat(self) -> list[tuple[int, Category]]:
        """(depth, category) for the whole tree in display order."""
        rows, stack = [], [(0, c) for c in reversed(self.roots())]
        while stack:
            depth, node = stack.pop()
            rows.append((depth, node))
            stack.extend((depth + 1, c) for c in reversed(self.children.get(node.pk, [])))
        return rows
