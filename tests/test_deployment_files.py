"""The deployment files (Dockerfile, docker-compose.yml, .env.example) agree with the code."""

import ast
import copy
import json
import re
from pathlib import Path

import check_jsonschema
import jsonschema
from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
SETTINGS_FILE = REPO_ROOT / "config" / "settings.py"
# The Compose Specification schema as vendored by check-jsonschema (a dev dependency).
COMPOSE_SCHEMA_FILE = (
    Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
)

ENV_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=")


def _load_compose() -> dict:
    return YAML(typ="safe", pure=True).load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _compose_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(COMPOSE_SCHEMA_FILE.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _schema_errors(document: dict) -> list[str]:
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in _compose_validator().iter_errors(document)
    ]


def _command_words(service: dict) -> list[str]:
    command = service.get("command", [])
    parts = command if isinstance(command, list) else [command]
    return " ".join(parts).split()


def _variables_read_by_settings() -> set[str]:
    """The first string argument of every `env.<kind>(...)` (or `env(...)`) call in settings.py."""
    tree = ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def _variables_in_env_example() -> list[str]:
    names = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = ENV_ASSIGNMENT.match(stripped)
        assert match, f".env.example has a line that is neither a comment nor NAME=value: {line!r}"
        names.append(match.group(1))
    return names


def _dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, with continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        instructions.append(current + stripped)
        current = ""
    return instructions


def test_compose_file_is_valid_against_the_compose_specification():
    """docker-compose.yml validates against the vendored Compose Specification schema."""
    assert COMPOSE_SCHEMA_FILE.is_file(), f"compose schema not found at {COMPOSE_SCHEMA_FILE}"
    assert _schema_errors(_load_compose()) == []


def test_compose_validation_rejects_an_unknown_service_key():
    """The schema check is live: a typo'd service key (`imagee`) is reported as an error."""
    broken = copy.deepcopy(_load_compose())
    broken["services"]["web"]["imagee"] = "casusoverleg:local"

    errors = _schema_errors(broken)

    assert errors, "a compose file with services.web.imagee passed validation"
    assert any("imagee" in error for error in errors), errors


def test_compose_file_has_no_obsolete_version_key():
    """The compose file follows the modern Compose Specification (no top-level `version:`)."""
    assert "version" not in _load_compose()


def test_compose_runs_web_worker_beat_postgres_and_redis():
    """Compose has the five services; web runs gunicorn, worker and beat `celery -A config`."""
    services = _load_compose()["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    web = _command_words(services["web"])
    assert "gunicorn" in web
    assert "config.wsgi:application" in web
    assert "migrate" in web
    for name, subcommand in [("worker", "worker"), ("beat", "beat")]:
        words = _command_words(services[name])
        assert words[:3] == ["celery", "-A", "config"], (name, words)
        assert subcommand in words, (name, words)


def test_compose_app_services_wait_for_healthy_postgres_and_redis():
    """web, worker and beat start only once postgres and redis report healthy."""
    services = _load_compose()["services"]

    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_env_example_lists_exactly_the_variables_settings_read():
    """.env.example names every variable config/settings.py reads through `env`, and no others."""
    read_by_settings = _variables_read_by_settings()
    in_example = _variables_in_env_example()

    assert len(in_example) == len(set(in_example)), f"duplicates in .env.example: {in_example}"
    assert {"DJANGO_DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read_by_settings
    assert sorted(read_by_settings - set(in_example)) == [], "missing from .env.example"
    assert sorted(set(in_example) - read_by_settings) == [], "not read by config/settings.py"


def test_env_example_variables_each_have_a_comment():
    """Every variable in .env.example is preceded by a comment line explaining it."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()

    for index, line in enumerate(lines):
        if ENV_ASSIGNMENT.match(line):
            assert index > 0, line
            assert lines[index - 1].startswith("#"), f"no comment above {line!r}"


def test_settings_read_the_environment_only_through_env():
    """settings.py does not bypass `env` (os.environ/os.getenv), so the cross-check is complete."""
    source = SETTINGS_FILE.read_text(encoding="utf-8")

    assert "os.environ" not in source
    assert "getenv" not in source


def test_dockerfile_serves_gunicorn_and_never_installs_browsers():
    """The image never runs `playwright install`, and its CMD is gunicorn with config.wsgi."""
    instructions = _dockerfile_instructions()
    keywords = [instruction.split(maxsplit=1)[0].upper() for instruction in instructions]

    assert not any("playwright install" in instruction.lower() for instruction in instructions)
    cmd = [instruction for instruction in instructions if instruction.upper().startswith("CMD ")]
    assert len(cmd) == 1, cmd
    arguments = json.loads(cmd[0].split(maxsplit=1)[1])
    assert arguments[0] == "gunicorn"
    assert "config.wsgi:application" in arguments
    assert "HEALTHCHECK" in keywords
    user = [instruction for instruction in instructions if instruction.upper().startswith("USER ")]
    assert user, "the image runs as root"
    assert user[-1].split()[1] not in {"root", "0"}
