"""People and the organisation units they belong to.

Roles are not stored here: a sponsor is the sponsor of a project, a coach holds
assignments, a QI lead supervises coaches. Only programme leads are a group.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class HistoryOfBothSides(HistoricalRecords):
    """History that also records a many-to-many change made from the other side.

    django-simple-history records `directorate.qi_leads.add(person)`, but
    `person.qi_lead_directorates.add(directorate)` sends it a person, which has no history,
    and it fails. From that side, each directorate changed gets its version instead.
    """

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return None
        tracked = kwargs["model"]
        if action == "pre_clear":
            instance._history_cleared = list(tracked.objects.filter(**{attr: instance}))
        elif action in ("post_add", "post_remove"):
            for changed in tracked.objects.filter(pk__in=pk_set or ()):
                self.create_historical_record(changed, "~")
        elif action == "post_clear":
            for changed in instance.__dict__.pop("_history_cleared", []):
                self.create_historical_record(changed, "~")
        return None


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

    # Renames and who was named (or stopped being) a QI lead, with who changed it and when.
    history = HistoryOfBothSides(m2m_fields=["qi_leads"])

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="directorate_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:directorate", args=[self.pk])


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


class AccessPolicy(models.Model):
    """Who may sign up, and whether programme leads must use two-factor authentication (one row)."""

    allowed_signup_domains = models.TextField(
        "e-mail domains allowed to sign up",
        blank=True,
        help_text="One domain per line, e.g. nhs.net. Addresses must match a domain exactly. "
        "Leave empty to allow sign-up by invitation only.",
    )
    # On by default: leads and administrators can read and change everything.
    require_two_factor_for_leads = models.BooleanField(
        "require two-factor authentication for programme leads and administrators",
        default=True,
        help_text="Programme leads, and anyone with access to the Django admin, must set up an "
        "authenticator app before anything else.",
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who loosened or tightened sign-up and two-factor, and when, is worth keeping.
    history = HistoricalRecords()

    SINGLETON_PK = 1

    class Meta:
        verbose_name = "access policy"
        verbose_name_plural = "access policy"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="access_policy_single_row")]

    def __str__(self) -> str:
        return "Access policy"

    @classmethod
    def current(cls) -> "AccessPolicy":
        """The site's policy; the defaults (invitation only, two-factor required) until a lead saves one."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)

    @property
    def domains(self) -> list[str]:
        return [line.strip().lower() for line in self.allowed_signup_domains.splitlines() if line.strip()]

    def allows_domain_of(self, email: str) -> bool:
        domain = email.rpartition("@")[2].strip().lower()
        return bool(domain) and domain in self.domains


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        """Neither accepted nor revoked, and not yet expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An e-mailed, expiring invitation for one address to create an account."""

    email = models.EmailField("e-mail address", max_length=254)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=~models.Q(accepted_at__isnull=False, revoked_at__isnull=False),
                name="invitation_not_both_accepted_and_revoked",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True, accepted_by__isnull=True)
                | models.Q(accepted_at__isnull=False, accepted_by__isnull=False),
                name="invitation_accepted_with_person",
            ),
            # One open invitation per address; sending another revokes the old one first.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ProgrammeLeadChange(models.Model):
    """Someone made a programme lead, or no longer one: by whom and when.

    Programme leads are a group, and group membership keeps no history of its own; leads
    can read and change everything, so who granted that, and when, is kept here.
    """

    class Action(models.TextChoices):
        ADDED = "added", "Made a programme lead"
        REMOVED = "removed", "No longer a programme lead"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["added", "removed"]), name="programme_lead_change_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_action_display().lower()}"
