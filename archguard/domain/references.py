"""String references: dependencies made by a string, which no import graph shows.

``relationship("MarketplaceImportJob")``, ``importlib.import_module("app.modules.x")``,
``get_model("wishlists", "WishList")``: each names code of another module without importing
it, and breaks when that module is gone just as an import does.
"""

from __future__ import annotations

from dataclasses import dataclass

from archguard.domain.imports import ImportKind

#: How the string of a reference names its target.
MODULE_PATH = "module"          # a module: "app.modules.catalog.routes"
OBJECT_PATH = "object"          # a module attribute: "a.b.Class" or "a.b:Class"
APP_MODULE = "app_module"       # "<app label>.<submodule>": "basket.views"
APP_LABEL = "app_label"         # "<app label>" or "<app label>.<Model>": "wishlists"
MAPPED_CLASS = "class"          # a mapped class, by name or by "module.path.Class"
TABLE = "table"                 # a table name: secondary="store_users"
TABLE_COLUMN = "table_column"   # "table.column": ForeignKey("stores.id")

#: Forms a loader rule of the configuration can give.
LOADER_FORMS: tuple[str, ...] = (MODULE_PATH, OBJECT_PATH, APP_MODULE, APP_LABEL)

#: Resolutions.
RESOLVED = "resolved"
AMBIGUOUS = "ambiguous"
UNRESOLVED = "unresolved"
#: Not a reference to one module: a prefix reaching every module (discovery), a setting
#: that is not a string, an app label that is not the project's.
DYNAMIC = "dynamic"

#: When Django imports what an entry of one of its settings names.
AT_STARTUP = "startup"  # as it starts: django.setup(), the request handler, the URL conf
WHEN_USED = "use"       # when first used: an authentication, a template rendered

#: The Django settings whose strings name code that Django imports, read in a settings
#: module: the form of their strings and when Django imports them; the start-up ones in
#: the order it imports them (the apps and their models, the middleware, the URL conf,
#: ``runserver``'s WSGI application).
DJANGO_SETTINGS: dict[str, tuple[str, str]] = {
    "INSTALLED_APPS": (MODULE_PATH, AT_STARTUP),     # or an AppConfig class: "a.apps.AConfig"
    "DEFAULT_AUTO_FIELD": (OBJECT_PATH, AT_STARTUP),
    "AUTH_USER_MODEL": (APP_LABEL, AT_STARTUP),      # "accounts.User"
    "MIDDLEWARE": (OBJECT_PATH, AT_STARTUP),
    "ROOT_URLCONF": (MODULE_PATH, AT_STARTUP),
    "WSGI_APPLICATION": (OBJECT_PATH, AT_STARTUP),
    "AUTHENTICATION_BACKENDS": (OBJECT_PATH, WHEN_USED),
    "TEMPLATES": (OBJECT_PATH, WHEN_USED),           # each engine's OPTIONS context_processors
}


@dataclass(frozen=True)
class StringReference:
    """One string in a file that names code elsewhere, where it sits and how it is made.

    ``call`` is what makes the reference (``relationship``, ``importlib.import_module``,
    ``get_model``, ``secondary``, the keyword of a definition.py, or the Django setting of a
    settings module); ``text`` the string as written. ``setting`` names the settings
    constant the string is read from when the call passes ``settings.NAME``; ``prefix``
    says ``text`` is only the literal start of an f-string or a concatenation. ``holder``
    is the class whose body holds the reference, ``function`` the function
    (``Class.method``). ``kind`` follows the import kinds: ``string``, or
    ``type_checking``/``guarded`` by position.
    """

    line: int
    column: int
    end_line: int
    call: str
    form: str
    text: str
    statement: str
    kind: ImportKind
    function: str | None = None
    holder: str | None = None
    setting: str | None = None
    prefix: bool = False
    #: For ``import_module(name, package)``: the package as written, or "" for
    #: ``__package__``/``__name__`` (the file's own package).
    package: str | None = None
    #: A name that only may be a class (from an annotation or a join expression): when it
    #: resolves to nothing it is not reported.
    tentative: bool = False
    #: The call imports its target when it runs (``import_module``, a loader), as opposed
    #: to naming it for later resolution (``relationship``, a path in a definition).
    loads: bool = False
    #: For ``app_label`` references: the module of the app reached (``models``); for an
    #: ``INSTALLED_APPS`` entry: the module of the app that Django imports as well.
    submodule: str | None = None
    #: For a loader: the name it loads from the module its string names, when the next
    #: argument gives it as a literal (``get_class('basket.models', 'Basket')``).
    name: str | None = None
    ignore: tuple[str, ...] | None = None
    ignore_reason: str = ""
    #: For an entry of a Django setting (see :data:`DJANGO_SETTINGS`), which ``call`` names:
    #: when Django imports it, :data:`AT_STARTUP` or :data:`WHEN_USED`.
    imported_at: str | None = None

    @property
    def startup(self) -> bool:
        """Whether Django imports what the string names as it starts."""
        return self.imported_at == AT_STARTUP

    @property
    def written(self) -> str:
        """The reference as a reader would write it: ``relationship('MarketplaceImportJob')``,
        ``INSTALLED_APPS 'shop.apps.promos'``."""
        if self.imported_at is not None:
            return f"{self.call} {self.text!r}"
        if self.setting:
            return f"{self.call}(settings.{self.setting})"
        text = self.text + ("…" if self.prefix else "")
        if self.name is not None:
            return f"{self.call}({text!r}, {self.name!r})"
        return f"{self.call}({text!r})"


@dataclass(frozen=True)
class MappedClass:
    """A class of a file that may be an ORM mapped class: its bases and table name."""

    name: str
    line: int
    bases: tuple[str, ...]
    table: str | None = None
    #: Has ``__tablename__``, ``__table__`` or ``__mapper_args__``.
    marked: bool = False


@dataclass(frozen=True)
class FileStrings:
    """What one file holds for string references: the references, the classes, tables and
    Django apps it defines (for resolving others' references), and its string constants (for
    settings)."""

    references: tuple[StringReference, ...] = ()
    classes: tuple[MappedClass, ...] = ()
    tables: tuple[tuple[str, int], ...] = ()
    constants: tuple[tuple[str, str], ...] = ()
    #: The Django AppConfig classes it defines: each one's ``name`` and ``label`` as given
    #: ("" for Django's default: the package of the file, its last name).
    apps: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Resolution:
    """Where a reference leads: one module, several (ambiguous), none, or no single one."""

    status: str
    #: The dotted modules reached (several when ambiguous).
    modules: tuple[str, ...] = ()
    #: What the string names, for the report: ``app.modules.m.models.job.MarketplaceImportJob``.
    target: str = ""
    #: The string after settings indirection (the value of the setting).
    text: str = ""
