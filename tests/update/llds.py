"""Changes to the CRUD example LLD, written as plain text edits an architect would make."""

from __future__ import annotations

CATEGORY_ROW = (
    "| list_products_by_category | GET /v1.0/categories/{category}/products "
    "| List products of one category, newest first (CategoryIndex) |\n"
)
STATUS_ROW = (
    "| list_products_by_status | GET /v1.0/statuses/{status}/products "
    "| List products in one status, newest first (StatusIndex) |\n"
)
CATEGORY_GSI = "##### GSI: CategoryIndex\n\n| Attribute | Type |\n|-----------|------|\n| PK (category) | String |\n"
CATEGORY_GSI_SK = "| SK (createdAt) | String |\n"
STATUS_GSI = (
    "\n##### GSI: StatusIndex\n\n| Attribute | Type |\n|-----------|------|\n| PK (status) | String |\n"
    "| SK (createdAt) | String |\n"
)


def add_status_endpoint_and_gsi(text: str) -> str:
    """A new endpoint served by a new GSI."""
    text = text.replace("### 1.3 Lambda Functions (9 Total)", "### 1.3 Lambda Functions (10 Total)")
    text = text.replace(CATEGORY_ROW, CATEGORY_ROW + STATUS_ROW)
    return text.replace(CATEGORY_GSI + CATEGORY_GSI_SK, CATEGORY_GSI + CATEGORY_GSI_SK + STATUS_GSI)


def remove_reviews(text: str) -> str:
    """The Review entity, its table and its endpoints leave the design."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, ln in enumerate(lines) if ln.startswith("#### 5.1.2 Reviews Table"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("#### 5.1.3 Access Patterns"))
    kept = lines[:start] + lines[end:]
    drop = ("| create_review |", "| list_reviews |", "| AP4 |")
    text = "".join(ln for ln in kept if not ln.startswith(drop))
    return text.replace("### 1.3 Lambda Functions (9 Total)", "### 1.3 Lambda Functions (7 Total)")


def reword_get_product(text: str) -> str:
    """The description of get_product changes (it lands in the handler's docstring)."""
    return text.replace(
        "| GET /v1.0/products/{productId} | Get product details |",
        "| GET /v1.0/products/{productId} | Get one product by its id |",
    )
