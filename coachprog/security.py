"""System checks for security settings that Django's own `check --deploy` does not cover."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    DUMMY_CACHE,
}


@register(Tags.security)
def check_rate_limit_cache(app_configs, **kwargs) -> list:
    """allauth counts failed sign-ins in the default cache: a dummy cache would switch the limits off."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend == DUMMY_CACHE:
        return [
            Error(
                "The default cache is a DummyCache, so login rate limits do nothing.",
                hint="Set REDIS_URL (production) or use the local-memory cache (development).",
                id="coachprog.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_shared_cache_in_production(app_configs, **kwargs) -> list:
    """Each gunicorn worker has its own local-memory cache, which multiplies the login rate limits."""
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        return [
            Warning(
                "The default cache is not shared between processes, so each web worker counts "
                "failed sign-ins separately.",
                hint="Set REDIS_URL so that the cache (and the login rate limits) live in Redis.",
                id="coachprog.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_content_security_policy(app_configs, **kwargs) -> list:
    """Inline script must never be allowed: it is what a cross-site scripting attack injects."""
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    scripts = directives.get("script-src", directives.get("default-src", []))
    if not scripts or "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        return [
            Error(
                "The Content Security Policy allows inline or evaluated script, or sets no script-src.",
                hint="Keep CONTENT_SECURITY_POLICY's script-src to 'self'; put scripts in static/js/.",
                id="coachprog.E002",
            )
        ]
    return []
