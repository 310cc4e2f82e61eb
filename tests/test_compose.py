"""docker-compose.yml describes the production stack the app expects, and .env.example
lists exactly the variables coachprog/settings.py reads."""

import ast
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def _compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def _service(name: str) -> dict:
    return _compose()["services"][name]


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _environment(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):  # the NAME=value form
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {name: str(value) for name, value in environment.items()}


def _without_substitutions(value: str) -> str:
    """Replace each ${...} with a placeholder, so the URL around it can be parsed."""
    return re.sub(r"\$\{[^}]*\}", "placeholder", value)


def settings_variables() -> set[str]:
    """The names settings.py reads from the environment: the string first argument of
    env("NAME"), env.<type>("NAME"), os.environ.get("NAME"), os.getenv("NAME"), and of the
    reading helpers settings.py defines itself, such as _bool("NAME")."""
    tree = ast.parse((BASE_DIR / "coachprog" / "settings.py").read_text())
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        called = ast.unparse(node.func)
        on_env = isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value) == "env"
        if on_env or called in {"env", "os.environ.get", "os.getenv"} | helpers:
            names.add(first.value)
    return names


def env_example_variables() -> list[str]:
    """Names in .env.example, whether set (NAME=value) or shown commented out (# NAME=value)."""
    lines = (BASE_DIR / ".env.example").read_text().splitlines()
    return [match.group(1) for line in lines if (match := re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=", line))]


def test_settings_variables_are_found_by_the_parser():
    # Guards the parser itself: if it found nothing, the checks below would prove nothing.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "BEHIND_PROXY"} <= (
        settings_variables()
    )


def test_env_example_lists_exactly_the_variables_settings_read():
    listed = env_example_variables()

    assert len(listed) == len(set(listed)), f"a variable is listed twice: {sorted(listed)}"
    assert set(listed) == settings_variables()


def test_compose_defines_the_production_services():
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(_compose()["services"])


def test_compose_web_runs_gunicorn_with_the_wsgi_app():
    command = _command(_service("web"))

    assert command[0] == "gunicorn"
    assert command[1] in {"coachprog.wsgi", "coachprog.wsgi:application"}


@pytest.mark.parametrize("service_name", ["worker", "beat"])
def test_compose_celery_services_run_the_coachprog_app(service_name):
    command = _command(_service(service_name))

    assert command[:4] == ["celery", "-A", "coachprog", service_name]


def test_compose_migrate_runs_migrations_once():
    service = _service("migrate")

    assert _command(service)[:3] == ["python", "manage.py", "migrate"]
    assert service["restart"] == "no"


def test_compose_runs_exactly_one_beat():
    beat = _service("beat")

    assert beat["deploy"]["replicas"] == 1
    assert "scale" not in beat


@pytest.mark.parametrize("service_name", ["web", "worker", "beat"])
def test_compose_app_services_wait_for_healthy_services_and_migrations(service_name):
    depends_on = _service(service_name)["depends_on"]

    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_compose_app_services_share_one_image():
    images = {(_service(name).get("build"), _service(name).get("image")) for name in APP_SERVICES}

    assert images == {(".", "coachprog:latest")}


def test_compose_db_is_postgres_with_volume_and_healthcheck():
    db = _service("db")

    assert db["image"].startswith("postgres:15")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_compose_redis_has_healthcheck():
    redis = _service("redis")

    assert redis["image"].startswith("redis:7")
    assert redis["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


def test_compose_web_healthcheck_calls_healthz():
    test = _service("web")["healthcheck"]["test"]

    assert test[:3] == ["CMD", "python", "-c"]
    assert "urllib.request.urlopen('http://127.0.0.1:8000/healthz'" in test[3]


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_compose_app_services_set_only_variables_settings_read(service_name):
    names = set(_environment(_service(service_name)))

    assert names - set(env_example_variables()) == set()


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_compose_app_services_run_production_settings(service_name):
    environment = _environment(_service(service_name))

    assert environment["DEBUG"] == "false"
    assert environment["SECURE_SSL_REDIRECT"] == "true"
    assert environment["BEHIND_PROXY"] == "true"


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_compose_database_url_points_at_the_db_service(service_name):
    url = urlsplit(_without_substitutions(_environment(_service(service_name))["DATABASE_URL"]))

    assert url.scheme in {"postgres", "postgresql"}
    assert url.hostname == "db"
    assert url.path == "/" + _service("db")["environment"]["POSTGRES_DB"]


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_compose_redis_url_points_at_the_redis_service(service_name):
    url = urlsplit(_without_substitutions(_environment(_service(service_name))["REDIS_URL"]))

    assert url.scheme == "redis"
    assert url.hostname == "redis"


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_compose_secret_key_comes_from_the_environment(service_name):
    secret_key = _environment(_service(service_name))["SECRET_KEY"]

    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", secret_key), secret_key


def test_compose_file_contains_no_literal_secret_key():
    text = (BASE_DIR / "docker-compose.yml").read_text()
    # Any "SECRET_KEY: value" or "SECRET_KEY=value", in the environment or in a command.
    values = re.findall(r"SECRET_KEY['\"]?\s*[:=]\s*(\S+)", text)

    assert values, "SECRET_KEY should be set for the app services"
    assert all(value.startswith("${SECRET_KEY:?") for value in values), values


@pytest.mark.parametrize("service_name", ["web", "worker"])
def test_compose_web_and_worker_can_be_scaled(service_name):
    service = _service(service_name)

    # A fixed container name, or a replica count, would stop `--scale web=3 --scale worker=4`.
    assert "container_name" not in service
    assert "replicas" not in service.get("deploy", {})
    assert "scale" not in service


def test_compose_web_publishes_a_port_range_so_replicas_do_not_clash():
    (port,) = _service("web")["ports"]
    address, host_ports, container_port = port.split(":")

    assert address == "127.0.0.1"
    assert container_port == "8000"
    first, last = (int(number) for number in host_ports.split("-"))
    assert (first, last) == (8000, 8009)


@pytest.mark.parametrize("service_name", ["web", "worker"])
def test_compose_uploads_are_one_named_volume_shared_at_media_root(service_name):
    service = _service(service_name)
    media_root = _environment(service)["MEDIA_ROOT"]

    assert f"media:{media_root}" in service["volumes"]
    assert "media" in _compose()["volumes"]


@pytest.mark.parametrize("service_name", APP_SERVICES)
def test_compose_upload_bucket_is_optional(service_name):
    environment = _environment(_service(service_name))

    # Unset, uploads stay on the media volume; set in .env, every container uses the bucket.
    for name in ["AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME"]:
        assert environment[name] == "${" + name + ":-}"


def test_compose_db_runs_without_jit_and_with_room_to_sort():
    command = _command(_service("db"))

    assert command[0] == "postgres"
    assert {"jit=off", "work_mem=16MB"} <= set(command[1:])
