"""People and the organisation units they belong to.

Roles are not stored here: a sponsor is the sponsor of a project, a coach holds
assignments, a QI lead supervises coaches. Only programme leads are a group.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Directorate(models.Model):
    """An organisation unit (directorate) of the trust, e.g. "Community Health Newham"."""

    name = models.CharField(max_length=200)
    qi_leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="qi_lead_directorates",
        verbose_name="QI leads",
        help_text="Improvement specialists who supervise the coaches in this directorate.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="directorate_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    display_name = models.CharField(
        max_length=150, blank=True, help_text="How the person's name is shown, e.g. “Dr Amina Yusuf”."
    )
    organisation_unit = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name="organisation unit",
        help_text="The directorate the person works in.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "admin access", default=False, help_text="Can sign in to the Django admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.get_full_name()

    @property
    def is_programme_lead(self) -> bool:
        # Cached per request object; group membership rarely changes mid-request.
        if not hasattr(self, "_is_programme_lead"):
            self._is_programme_lead = self.is_active and (
                self.is_superuser or self.groups.filter(name=settings.PROGRAMME_LEADS_GROUP).exists()
            )
        return self._is_programme_lead
