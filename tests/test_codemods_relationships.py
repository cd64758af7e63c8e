"""SQLAlchemy relationship codemods: remove one side, backref on the other, registrations."""

from __future__ import annotations

import textwrap

import pytest

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.relationships import (
    backref_on_other_side,
    remove_registration,
    remove_relationship,
)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


STORE = dedent('''
    """Stores: the shops merchants run on a platform."""

    from __future__ import annotations

    from sqlalchemy import Boolean, ForeignKey, Integer, String
    from sqlalchemy.orm import Mapped, mapped_column, relationship

    from app.core.database import Base


    class Store(Base):
        """A store of a merchant."""

        __tablename__ = "stores"

        id = mapped_column(Integer, primary_key=True)
        merchant_id = mapped_column(ForeignKey("merchants.id"), nullable=False)
        name = mapped_column(String(100), nullable=False)
        is_active = mapped_column(Boolean, default=True)

        merchant = relationship("Merchant", back_populates="stores")

        # Jobs that imported marketplace products into this store,
        # newest first.
        marketplace_import_jobs: Mapped[list[MarketplaceImportJob]] = relationship(
            "MarketplaceImportJob", back_populates="store", order_by="MarketplaceImportJob.id"
        )

        domains = relationship("StoreDomain", back_populates="store")  # custom domains
''')

STORE_WITHOUT_JOBS = dedent('''
    """Stores: the shops merchants run on a platform."""

    from __future__ import annotations

    from sqlalchemy import Boolean, ForeignKey, Integer, String
    from sqlalchemy.orm import mapped_column, relationship

    from app.core.database import Base


    class Store(Base):
        """A store of a merchant."""

        __tablename__ = "stores"

        id = mapped_column(Integer, primary_key=True)
        merchant_id = mapped_column(ForeignKey("merchants.id"), nullable=False)
        name = mapped_column(String(100), nullable=False)
        is_active = mapped_column(Boolean, default=True)

        merchant = relationship("Merchant", back_populates="stores")

        domains = relationship("StoreDomain", back_populates="store")  # custom domains
''')

JOB = dedent('''
    """Marketplace import jobs: one run of a store's product feed."""

    from __future__ import annotations

    from sqlalchemy import ForeignKey, Integer, String
    from sqlalchemy.orm import mapped_column, relationship

    from app.core.database import Base


    class MarketplaceImportJob(Base):
        __tablename__ = "marketplace_import_jobs"

        id = mapped_column(Integer, primary_key=True)
        store_id = mapped_column(ForeignKey("stores.id"), nullable=False)
        status = mapped_column(String(20), default="pending")

        # The store the feed belongs to.
        store = relationship("Store", back_populates="marketplace_import_jobs")
        user = relationship(
            "User",
            lazy="joined",
        )
''')


# ---------------------------------------------------------------------------- remove


def test_remove_relationship_with_its_comments_and_now_unused_imports():
    out = remove_relationship(STORE, "Store", "marketplace_import_jobs")
    assert out == STORE_WITHOUT_JOBS
    compile(out, "x.py", "exec")


def test_remove_relationship_twice_is_once():
    once = remove_relationship(STORE, "Store", "marketplace_import_jobs")
    assert remove_relationship(once, "Store", "marketplace_import_jobs") == once


def test_remove_the_last_relationship_drops_relationship_import():
    source = dedent('''
        from app.extensions import db
        from sqlalchemy.orm import relationship


        class Store(db.Model):
            id = db.Column(db.Integer, primary_key=True)

            # Jobs.
            jobs = relationship("Job")
            # the end of the model
    ''')
    out = remove_relationship(source, "Store", "jobs")
    assert out == dedent('''
        from app.extensions import db


        class Store(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            # the end of the model
    ''')
    compile(out, "x.py", "exec")


def test_remove_db_relationship_keeps_imports_still_used():
    source = dedent('''
        from app.extensions import db


        class Store(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            jobs = db.relationship("Job", backref="store")

            name = db.Column(db.String)
    ''')
    out = remove_relationship(source, "Store", "jobs")
    assert out == dedent('''
        from app.extensions import db


        class Store(db.Model):
            id = db.Column(db.Integer, primary_key=True)

            name = db.Column(db.String)
    ''')


def test_remove_relationship_keeps_type_checking_import_used_in_another_annotation():
    source = dedent('''
        from typing import TYPE_CHECKING

        from sqlalchemy.orm import Mapped, relationship

        if TYPE_CHECKING:
            from app.modules.marketplace.models import MarketplaceImportJob


        class Store(Base):
            jobs: Mapped[list["MarketplaceImportJob"]] = relationship(back_populates="store")
            last_job: Mapped["MarketplaceImportJob"] = relationship(viewonly=True)
    ''')
    out = remove_relationship(source, "Store", "jobs")
    assert out == source.replace(
        '    jobs: Mapped[list["MarketplaceImportJob"]] = relationship(back_populates="store")\n',
        "",
    )


def test_remove_the_only_statement_of_a_class_leaves_pass():
    source = dedent('''
        from sqlalchemy.orm import relationship


        class StoreExtension(Base):
            # The jobs.
            jobs = relationship("Job")
    ''')
    assert remove_relationship(source, "StoreExtension", "jobs") == dedent('''
        class StoreExtension(Base):
            pass
    ''')


def test_remove_relationship_errors():
    with pytest.raises(CodemodError, match="class Shop not found"):
        remove_relationship(STORE, "Shop", "marketplace_import_jobs")
    with pytest.raises(CodemodError, match=r"line 18: Store.name is not assigned a relationship"):
        remove_relationship(STORE, "Store", "name")
    with pytest.raises(CodemodError, match="line 2: cannot parse"):
        remove_relationship("class Store(Base:\n    pass\n", "Store", "jobs")


def test_remove_relationship_drops_an_emptied_type_checking_block():
    source = dedent('''
        from __future__ import annotations

        from typing import TYPE_CHECKING

        from sqlalchemy.orm import Mapped, mapped_column, relationship

        from app.core.database import Base

        if TYPE_CHECKING:
            from app.modules.marketplace.models import MarketplaceImportJob


        class Store(Base):
            __tablename__ = "stores"

            id: Mapped[int] = mapped_column(primary_key=True)
            marketplace_import_jobs: Mapped[list[MarketplaceImportJob]] = relationship(
                back_populates="store"
            )
    ''')
    out = remove_relationship(source, "Store", "marketplace_import_jobs")
    assert out == dedent('''
        from __future__ import annotations

        from sqlalchemy.orm import Mapped, mapped_column

        from app.core.database import Base


        class Store(Base):
            __tablename__ = "stores"

            id: Mapped[int] = mapped_column(primary_key=True)
    ''')
    compile(out, "x.py", "exec")


# ---------------------------------------------------------------------------- backref

JOB_WITH_BACKREF = dedent('''
    """Marketplace import jobs: one run of a store's product feed."""

    from __future__ import annotations

    from sqlalchemy import ForeignKey, Integer, String
    from sqlalchemy.orm import mapped_column, relationship, backref

    from app.core.database import Base


    class MarketplaceImportJob(Base):
        __tablename__ = "marketplace_import_jobs"

        id = mapped_column(Integer, primary_key=True)
        store_id = mapped_column(ForeignKey("stores.id"), nullable=False)
        status = mapped_column(String(20), default="pending")

        # The store the feed belongs to.
        store = relationship("Store", backref=backref("marketplace_import_jobs"))
        user = relationship(
            "User",
            lazy="joined",
        )
''')


def test_backref_replaces_back_populates_and_imports_backref():
    out = backref_on_other_side(JOB, "MarketplaceImportJob", "store", "marketplace_import_jobs", {})
    assert out == JOB_WITH_BACKREF
    compile(out, "x.py", "exec")


def test_backref_twice_is_once():
    once = backref_on_other_side(JOB, "MarketplaceImportJob", "store", "marketplace_import_jobs", {})
    again = backref_on_other_side(once, "MarketplaceImportJob", "store", "jobs", {"lazy": '"dynamic"'})
    assert again == once


def test_backref_added_to_a_multi_line_call_with_keywords():
    keywords = {"cascade": '"all, delete-orphan"', "order_by": '"MarketplaceImportJob.id"'}
    out = backref_on_other_side(JOB, "MarketplaceImportJob", "user", "import_jobs", keywords)
    assert out == JOB.replace(
        '        lazy="joined",\n',
        '        lazy="joined",\n'
        '        backref=backref("import_jobs", cascade="all, delete-orphan", '
        'order_by="MarketplaceImportJob.id"),\n',
    ).replace(
        "from sqlalchemy.orm import mapped_column, relationship\n",
        "from sqlalchemy.orm import mapped_column, relationship, backref\n",
    )
    compile(out, "x.py", "exec")


def test_backref_on_single_and_unterminated_multi_line_calls():
    source = dedent('''
        from sqlalchemy.orm import backref, relationship


        class Job(Base):
            store = relationship("Store")
            user = relationship(
                "User"
            )
    ''')
    out = backref_on_other_side(source, "Job", "store", "jobs", {"viewonly": "True"})
    out = backref_on_other_side(out, "Job", "user", "jobs", {})
    assert out == dedent('''
        from sqlalchemy.orm import backref, relationship


        class Job(Base):
            store = relationship("Store", backref=backref("jobs", viewonly=True))
            user = relationship(
                "User",
                backref=backref("jobs")
            )
    ''')


def test_backref_of_db_relationship_uses_db_backref():
    source = dedent('''
        from app.extensions import db


        class Job(db.Model):
            store = db.relationship("Store", back_populates="jobs")  # the owner
    ''')
    out = backref_on_other_side(source, "Job", "store", "jobs", {})
    assert out == source.replace('back_populates="jobs"', 'backref=db.backref("jobs")')


def test_backref_errors():
    with pytest.raises(CodemodError, match="class Store not found"):
        backref_on_other_side(JOB, "Store", "store", "jobs", {})
    with pytest.raises(CodemodError, match="class MarketplaceImportJob has no relationship 'owner'"):
        backref_on_other_side(JOB, "MarketplaceImportJob", "owner", "jobs", {})
    with pytest.raises(CodemodError, match=r"line 16: MarketplaceImportJob\.status is not assigned"):
        backref_on_other_side(JOB, "MarketplaceImportJob", "status", "jobs", {})
    with pytest.raises(CodemodError, match="line 19: cannot build backref"):
        backref_on_other_side(JOB, "MarketplaceImportJob", "store", "jobs", {"lazy": "("})
    with pytest.raises(CodemodError, match="line 19: backref name 'import jobs'"):
        backref_on_other_side(JOB, "MarketplaceImportJob", "store", "import jobs", {})
    with pytest.raises(CodemodError, match="cannot parse"):
        backref_on_other_side("class Job(:\n", "Job", "store", "jobs", {})


# ---------------------------------------------------------------------------- registration

MODELS = dedent('''
    """Models of the tenancy module, imported so the mapper knows them."""

    from app.modules.tenancy.models.merchant import Merchant
    from app.modules.tenancy.models.store import Store
    # Registered so that Store.marketplace_import_jobs resolves.
    from app.modules.marketplace.models import MarketplaceImportJob, MarketplaceProduct  # noqa: F401

    __all__ = [
        "MarketplaceImportJob",
        "MarketplaceProduct",
        "Merchant",
        "Store",
    ]
''')


def test_remove_registration_from_the_import_and_all():
    out = remove_registration(MODELS, 6, ["MarketplaceImportJob", "MarketplaceProduct"])
    assert out == dedent('''
        """Models of the tenancy module, imported so the mapper knows them."""

        from app.modules.tenancy.models.merchant import Merchant
        from app.modules.tenancy.models.store import Store

        __all__ = [
            "Merchant",
            "Store",
        ]
    ''')
    compile(out, "x.py", "exec")


def test_remove_registration_of_some_names_keeps_the_others():
    out = remove_registration(MODELS, 6, ["MarketplaceImportJob"])
    assert out == MODELS.replace("MarketplaceImportJob, ", "").replace(
        '    "MarketplaceImportJob",\n', ""
    )


def test_remove_registration_twice_is_once():
    once = remove_registration(MODELS, 6, ["MarketplaceImportJob"])
    assert remove_registration(once, 6, ["MarketplaceImportJob"]) == once
    both = remove_registration(MODELS, 6, ["MarketplaceImportJob", "MarketplaceProduct"])
    assert remove_registration(both, 6, ["MarketplaceImportJob", "MarketplaceProduct"]) == both


def test_remove_registration_errors_name_the_line():
    with pytest.raises(CodemodError, match="line 3: no import of Store here"):
        remove_registration(MODELS, 3, ["Store"])
    with pytest.raises(CodemodError, match="line 1: cannot parse"):
        remove_registration("from x import (\n", 1, ["A"])


def test_remove_registration_takes_the_comment_that_explained_the_import():
    source = dedent('''
        from app.modules.tenancy.models.store import Store

        # Registered so that Store.jobs resolves "Job" when the mappers are configured.
        from app.modules.marketplace.models import Job

        __all__ = ["Job", "Store"]
    ''')
    assert remove_registration(source, 4, ["Job"]) == dedent('''
        from app.modules.tenancy.models.store import Store

        __all__ = ["Store"]
    ''')


def test_remove_registration_of_some_names_keeps_the_comment():
    source = dedent('''
        # Both registered for the mapper.
        from app.modules.marketplace.models import Job, Listing
    ''')
    assert remove_registration(source, 2, ["Job"]) == dedent('''
        # Both registered for the mapper.
        from app.modules.marketplace.models import Listing
    ''')
