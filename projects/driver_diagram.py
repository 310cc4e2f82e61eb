"""A project's driver diagram as a tree, and drawn as server-rendered SVG.

The drawing has four columns — aim, primary drivers, secondary drivers, change
ideas — and elbow lines from each node to its children. It needs no
JavaScript, prints, and carries the full text of every box in its <title>.
"""

import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from projects.models import DriverNode, Project

COLUMN_WIDTH = 210
COLUMN_GAP = 36
ROW_HEIGHT = 66
BOX_HEIGHT = 56
LINE_CHARS = 30
MAX_LINES = 3
COLUMNS = ["Aim", "Primary drivers", "Secondary drivers", "Change ideas"]
FILLS = ["#003087", "#005eb8", "#41b6e6", "#e8f1fa"]
TEXT_COLOURS = ["#ffffff", "#ffffff", "#212b32", "#212b32"]


@dataclass
class TreeNode:
    node: DriverNode | None  # None for the aim
    text: str
    children: list["TreeNode"] = field(default_factory=list)
    row: float = 0.0  # vertical position, in rows

    @property
    def leaves(self) -> int:
        return max(1, sum(child.leaves for child in self.children))


def driver_tree(project: Project, nodes: list[DriverNode]) -> TreeNode:
    """The aim with its drivers and change ideas beneath, in their saved order."""
    by_parent: dict[int | None, list[DriverNode]] = {}
    for node in sorted(nodes, key=lambda n: (n.position, n.pk)):
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(node: DriverNode) -> TreeNode:
        return TreeNode(node, node.text, [build(child) for child in by_parent.get(node.pk, [])])

    return TreeNode(None, project.aim_statement, [build(n) for n in by_parent.get(None, [])])


def _place(tree: TreeNode, first_row: float = 0.0) -> None:
    """Give each node a row: leaves one after another, parents centred on their children."""
    if not tree.children:
        tree.row = first_row
        return
    row = first_row
    for child in tree.children:
        _place(child, row)
        row += child.leaves
    tree.row = (tree.children[0].row + tree.children[-1].row) / 2


def _lines(text: str) -> list[str]:
    lines = textwrap.wrap(text, LINE_CHARS) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][: LINE_CHARS - 1].rstrip() + "…"
    return lines


def driver_diagram_svg(tree: TreeNode) -> str:
    """The whole diagram as one SVG element (an accessible image with the aim as its title)."""
    _place(tree)
    rows = tree.leaves
    width = len(COLUMNS) * COLUMN_WIDTH + (len(COLUMNS) - 1) * COLUMN_GAP
    height = 28 + rows * ROW_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        'role="img" aria-labelledby="dd-title dd-desc" font-family="system-ui, Arial, sans-serif" '
        'font-size="12">',
        '<title id="dd-title">Driver diagram</title>',
        f'<desc id="dd-desc">{escape(_describe(tree))}</desc>',
    ]
    for index, heading in enumerate(COLUMNS):
        x = index * (COLUMN_WIDTH + COLUMN_GAP)
        parts.append(f'<text x="{x}" y="14" font-weight="bold" fill="#4c6272">{escape(heading)}</text>')

    def y_of(node: TreeNode) -> float:
        return 28 + node.row * ROW_HEIGHT + (ROW_HEIGHT - BOX_HEIGHT) / 2

    def draw(node: TreeNode, depth: int) -> None:
        x, y = depth * (COLUMN_WIDTH + COLUMN_GAP), y_of(node)
        for child in node.children:
            cx, cy = (depth + 1) * (COLUMN_WIDTH + COLUMN_GAP), y_of(child) + BOX_HEIGHT / 2
            mid = x + COLUMN_WIDTH + COLUMN_GAP / 2
            parts.append(
                f'<path d="M{x + COLUMN_WIDTH} {y + BOX_HEIGHT / 2:.1f} H{mid} V{cy:.1f} H{cx}" '
                'fill="none" stroke="#768692" stroke-width="1.2"/>'
            )
        parts.append("<g>")
        parts.append(f"<title>{escape(node.text)}</title>")
        parts.append(
            f'<rect x="{x}" y="{y:.1f}" width="{COLUMN_WIDTH}" height="{BOX_HEIGHT}" rx="6" '
            f'fill="{FILLS[depth]}" stroke="#005eb8"/>'
        )
        lines = _lines(node.text)
        top = y + BOX_HEIGHT / 2 - (len(lines) - 1) * 7.5
        for number, line in enumerate(lines):
            baseline = top + number * 15 + 4
            parts.append(
                f'<text x="{x + 8}" y="{baseline:.1f}" fill="{TEXT_COLOURS[depth]}">{escape(line)}</text>'
            )
        parts.append("</g>")
        for child in node.children:
            draw(child, depth + 1)

    draw(tree, 0)
    parts.append("</svg>")
    return "".join(parts)


def _describe(tree: TreeNode) -> str:
    primaries = len(tree.children)
    ideas = sum(len(s.children) for p in tree.children for s in p.children)
    drivers = f"{primaries} primary driver{'s' * (primaries != 1)}"
    return f"Aim: {tree.text} {drivers}, {ideas} change idea{'s' * (ideas != 1)}."
