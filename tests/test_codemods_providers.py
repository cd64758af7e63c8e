"""register_provider and use_count_provider: a provider registered in a definition, and
the row counts of another module's model replaced by a call to the provider."""

from __future__ import annotations

from textwrap import dedent

import pytest

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.providers import register_provider, use_count_provider

REGISTER = {"definition_class": "ModuleDefinition", "protocol": "CountProtocol",
            "protocol_module": "app.contracts.catalog", "getter": "_get_counter",
            "implementation_module": "app.catalog.counter", "instance": "counter"}

USE = {"models": ["Product"], "protocol": "CountProtocol",
       "protocol_module": "app.contracts.catalog", "lookup_module": "app.providers",
       "method": "get_product_count", "variable": "counter"}


def test_a_registration_joins_the_providers_dict_already_there():
    source = dedent('''\
        from app.base import ModuleDefinition
        from app.contracts.media import MediaProtocol


        def _get_media():
            from app.catalog.media import media

            return media


        # The catalog declares itself here.
        catalog_module = ModuleDefinition(
            code="catalog",
            providers={
                MediaProtocol: _get_media,
            },
        )
    ''')
    assert register_provider(source, **REGISTER) == dedent('''\
        from app.base import ModuleDefinition
        from app.contracts.media import MediaProtocol
        from app.contracts.catalog import CountProtocol


        def _get_media():
            from app.catalog.media import media

            return media


        def _get_counter():
            from app.catalog.counter import counter

            return counter


        # The catalog declares itself here.
        catalog_module = ModuleDefinition(
            code="catalog",
            providers={
                MediaProtocol: _get_media,
                CountProtocol: _get_counter,
            },
        )
    ''')


def test_a_short_call_stays_on_one_line_and_a_second_registration_changes_nothing():
    source = 'from app.base import ModuleDefinition\n\nx_module = ModuleDefinition(code="x")\n'
    once = register_provider(source, **REGISTER)
    assert 'x_module = ModuleDefinition(code="x", providers={CountProtocol: _get_counter})\n' \
        in once
    assert "\n\n\ndef _get_counter():\n" in once
    assert register_provider(once, **REGISTER) == once


def test_a_definition_file_without_the_definition_call_is_refused():
    with pytest.raises(CodemodError, match="no module-level `… = ModuleDefinition"):
        register_provider("x = 1\n", **REGISTER)
    with pytest.raises(CodemodError, match="not a dict literal"):
        register_provider("m = ModuleDefinition(providers=PROVIDERS)\n", **REGISTER)


def test_counts_become_one_lookup_per_function_and_keep_their_comments_and_parentheses():
    source = dedent('''\
        from sqlalchemy import func

        from app.catalog.models import Product


        def usage(db, store_id):
            limit = 10

            # products listed by the store
            listed = (
                db.query(func.count(Product.id))
                .filter(Product.store_id == store_id)
                .scalar()
                or 0
            )
            total = db.query(func.count(Product.id)).scalar() + 1
            return listed, total, limit
    ''')
    assert use_count_provider(source, **USE) == dedent('''\
        from app.contracts.catalog import CountProtocol
        from app.providers import get_provider


        def usage(db, store_id):
            limit = 10

            counter = get_provider(CountProtocol)
            # products listed by the store
            listed = (
                counter.get_product_count(db, store_id=store_id) if counter else 0
            )
            total = (counter.get_product_count(db) if counter else 0) + 1
            return listed, total, limit
    ''')


def test_several_filters_become_keywords_in_order_of_name():
    source = dedent('''\
        from app.catalog.models import Product as P


        def active(session, store, flag):
            return session.query(func.count(P.id)).filter(
                P.store_id == store.id, P.active == flag).scalar()
    ''')
    result = use_count_provider(source, **{**USE, "models": ["P"]})
    assert "    counter = get_provider(CountProtocol)\n    return counter.get_product_count(" \
        "session, active=flag, store_id=store.id) if counter else 0\n" in result
    assert "import Product as P" not in result


def test_a_use_outside_counts_or_a_taken_name_is_refused():
    outside = dedent('''\
        from app.catalog.models import Product


        def usage(db):
            first = db.query(Product).first()
            return first, db.query(func.count(Product.id)).scalar()
    ''')
    with pytest.raises(CodemodError, match="Product is still read outside count queries"):
        use_count_provider(outside, **USE)
    taken = dedent('''\
        from app.catalog.models import Product


        def usage(db, counter):
            return counter + db.query(func.count(Product.id)).scalar()
    ''')
    with pytest.raises(CodemodError, match="line 5: counter is already a name there"):
        use_count_provider(taken, **USE)
    with pytest.raises(CodemodError, match="no count query of Product"):
        use_count_provider("from app.catalog.models import Product\n", **USE)


def test_a_filter_that_is_not_an_equality_on_the_model_is_not_a_count_query():
    source = dedent('''\
        from app.catalog.models import Product, Store


        def usage(db, when):
            return db.query(func.count(Product.id)).filter(Product.created > when).scalar()
    ''')
    with pytest.raises(CodemodError, match="no count query of Product"):
        use_count_provider(source, **USE)
