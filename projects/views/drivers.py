"""The driver diagram: drawn, and edited as a tree."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from coachprog.permissions import Access
from projects.driver_diagram import driver_diagram_svg, driver_tree
from projects.forms import (
    DriverNodeForm,
)
from projects.models import (
    DriverNode,
    PDSACycle,
)
from projects.permissions import (
    get_project_for_user,
)
from projects.services import (
    driver_node_add,
    driver_node_remove,
    driver_node_update,
)

# --- Driver diagram -----------------------------------------------------------------------------

CHILD_KIND = {
    None: DriverNode.Kind.PRIMARY,
    DriverNode.Kind.PRIMARY: DriverNode.Kind.SECONDARY,
    DriverNode.Kind.SECONDARY: DriverNode.Kind.CHANGE_IDEA,
}


@require_safe
def driver_diagram(request: HttpRequest, project_pk: int) -> HttpResponse:
    """The driver diagram, drawn and as an editable tree; change ideas link to the cycles that test them."""
    project, access = get_project_for_user(request.user, project_pk)
    nodes = list(
        DriverNode.objects.filter(project=project).prefetch_related(
            Prefetch("pdsa_cycles", queryset=PDSACycle.objects.order_by("number"))
        )
    )
    tree = driver_tree(project, nodes)
    return render(
        request,
        "projects/driver_diagram.html",
        {
            "project": project,
            "tree": tree,
            "svg": mark_safe(driver_diagram_svg(tree)),  # noqa: S308 - every text in it is escaped
            "can_edit": access >= Access.WRITE,
        },
    )


@require_POST
def driver_node_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project, _ = get_project_for_user(request.user, project_pk, need=Access.WRITE)
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(DriverNode, project=project, pk=request.POST["parent"])
    form = DriverNodeForm(request.POST)
    if form.is_valid():
        try:
            node = driver_node_add(
                project=project,
                kind=CHILD_KIND[parent.kind if parent else None],
                text=form.cleaned_data["text"],
                parent=parent,
            )
        except (ValidationError, KeyError) as error:
            messages.error(request, " ".join(getattr(error, "messages", ["Change ideas have no children."])))
        else:
            messages.success(request, f"Added {node.get_kind_display().lower()} “{node}”.")
    else:
        messages.error(request, f"Text: {' '.join(form.errors['text'])}")
    return redirect("projects:driver_diagram", project_pk=project.pk)


@require_POST
def driver_node_edit(request: HttpRequest, project_pk: int, pk: int) -> HttpResponse:
    project, _ = get_project_for_user(request.user, project_pk, need=Access.WRITE)
    node = get_object_or_404(DriverNode, project=project, pk=pk)
    form = DriverNodeForm(request.POST)
    if "remove" in request.POST:
        try:
            driver_node_remove(node=node)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Removed “{node.text}”.")
    elif form.is_valid():
        driver_node_update(node=node, text=form.cleaned_data["text"])
        messages.success(request, f"Saved “{node}”.")
    else:
        messages.error(request, f"Text: {' '.join(form.errors['text'])}")
    return redirect("projects:driver_diagram", project_pk=project.pk)
