"""What a reader would see wrong in a drawn figure, measured in display coordinates.

:func:`layout_problems` draws the figure and reports, one sentence each:

* a text (title, axis label, tick label, legend, annotation, figure text) that extends beyond
  the canvas, where it is cut off in the PNG;
* two texts whose boxes overlap (a legend counts as one box);
* a legend whose box covers a plotted data point: a vertex of a line or an offset of a collection
  drawn in data coordinates, or a bar, inside its axes' view;
* fractional ticks on an index axis: an axis of an image (a heatmap's rows and columns), or an x
  axis on which every plotted point sits at an integer (the values are indices, counts or sizes).

The checks are geometric, so they hold for any example a claim's plot is given.
"""

from __future__ import annotations

import numpy as np

__all__ = ["layout_problems", "text_boxes", "data_points", "tidy", "wrap_titles", "legends_clear_of_data",
           "integer_ticks", "thin_log_labels"]

#: pixels two boxes may share before they overlap (antialiased edges touch)
_SLACK = 1.0


def _label(t) -> str:
    s = t.get_text().replace("\n", " ")
    return repr(s if len(s) <= 40 else s[:37] + "…")




def _drawn_ticklabels(axis):
    """The tick labels the axis draws (inside its view), as Text artists."""
    out = []
    for tick in axis._update_ticks():  # the ticks within the view interval, as drawn
        for lab, on in ((tick.label1, tick.label1.get_visible()), (tick.label2, tick.label2.get_visible())):
            if on and lab.get_text().strip():
                out.append(lab)
    return out


def text_boxes(fig, renderer) -> list[tuple[str, object, object]]:
    """(name, owner, display bbox) of every visible, non-empty text; a legend is one box.

    ``owner`` tells apart texts that belong together (a legend's entries are not compared)."""
    from matplotlib.legend import Legend
    from matplotlib.text import Annotation, Text

    boxes = []
    legends = list(fig.legends)
    skip = set()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        leg = ax.get_legend()
        if leg is not None:
            legends.append(leg)
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not axis.get_visible() or not ax.axison:
                continue
            for lab in _drawn_ticklabels(axis):
                boxes.append((f"{which} tick label {_label(lab)}", ax, lab.get_window_extent(renderer)))
                skip.add(id(lab))
            off = axis.get_offset_text()
            skip.add(id(off))
            if off.get_visible() and off.get_text().strip():
                boxes.append((f"{which} offset text {_label(off)}", ax, off.get_window_extent(renderer)))
        # tick labels of ticks outside the view are not drawn
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                skip.update((id(tick.label1), id(tick.label2)))
    for leg in legends:
        if leg.get_visible():
            boxes.append(("legend", leg, leg.get_window_extent(renderer)))
        for t in leg.findobj(Text):
            skip.add(id(t))
    for t in fig.findobj(Text):
        if id(t) in skip or isinstance(t.axes, type(None)) and t.figure is None:
            continue
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        if isinstance(t.get_parent() if hasattr(t, "get_parent") else None, Legend):
            continue
        kind = "annotation" if isinstance(t, Annotation) else "text"
        if t.axes is not None:
            if t is t.axes.title or t is t.axes._left_title or t is t.axes._right_title:
                kind = "title"
            elif t is t.axes.xaxis.label or t is t.axes.yaxis.label:
                kind = "axis label"
        elif t is getattr(fig, "_suptitle", None):
            kind = "figure title"
        if t.get_clip_on() and t.axes is not None and kind in ("text", "annotation"):
            # a text clipped to its axes is only drawn where it lies inside them
            if not t.axes.bbox.overlaps(t.get_window_extent(renderer)):
                continue
        boxes.append((f"{kind} {_label(t)}", t.axes, t.get_window_extent(renderer)))
    return boxes


def _in_data_coords(artist, ax) -> bool:
    try:
        return artist.get_transform().contains_branch(ax.transData)
    except Exception:
        return False


def data_points(ax) -> np.ndarray:
    """Display coordinates of the data points drawn in ``ax`` inside its view: the vertices of its
    lines and the offsets of its collections, both in data coordinates."""
    pts = []
    for line in ax.get_lines():
        if not line.get_visible() or not _in_data_coords(line, ax):
            continue
        xy = np.asarray(line.get_xydata(), float)
        if xy.size:
            pts.append(ax.transData.transform(xy[np.all(np.isfinite(xy), axis=1)]))
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        offsets = np.asarray(coll.get_offsets(), float)
        if offsets.size and coll.get_offset_transform().contains_branch(ax.transData):
            pts.append(ax.transData.transform(offsets[np.all(np.isfinite(offsets), axis=1)]))
    if not pts:
        return np.zeros((0, 2))
    p = np.vstack(pts)
    box = ax.bbox
    inside = (p[:, 0] >= box.x0) & (p[:, 0] <= box.x1) & (p[:, 1] >= box.y0) & (p[:, 1] <= box.y1)
    return p[inside]


def _bars(ax, renderer):
    from matplotlib.container import BarContainer

    out = []
    for c in ax.containers:
        if isinstance(c, BarContainer):
            for patch in c.patches:
                if patch.get_visible() and (patch.get_width() != 0 and patch.get_height() != 0):
                    b = patch.get_window_extent(renderer)
                    clipped = b.intersection(b, ax.bbox) if b.overlaps(ax.bbox) else None
                    if clipped is not None and clipped.width > 1 and clipped.height > 1:
                        out.append(clipped)
    return out


def _integer_valued_axes(ax):
    """['x'] when every data point plotted along x is an integer (two or more distinct values)."""
    xs, ys = [], []
    for line in ax.get_lines():
        if line.get_visible() and _in_data_coords(line, ax):
            xy = np.asarray(line.get_xydata(), float).reshape(-1, 2)
            xs.append(xy[:, 0])
            ys.append(xy[:, 1])
    for coll in ax.collections:
        off = np.asarray(coll.get_offsets(), float).reshape(-1, 2)
        if coll.get_visible() and off.size and coll.get_offset_transform().contains_branch(ax.transData):
            xs.append(off[:, 0])
            ys.append(off[:, 1])
    out = []
    # only x: a y axis of integer values is as often a coincidence of the data as an index
    for name, vals, scale in (("x", xs, ax.get_xscale()),):
        if not vals or scale != "linear":
            continue
        v = np.concatenate(vals)
        v = v[np.isfinite(v)]
        if np.unique(v).size >= 2 and np.all(v == np.round(v)) and np.max(np.abs(v)) < 1e6:
            out.append(name)
    return out


def _fractional_ticks(ax) -> list[str]:
    from matplotlib.image import AxesImage

    problems = []
    index = set(_integer_valued_axes(ax))
    if any(isinstance(im, AxesImage) for im in ax.images):
        index |= {"x", "y"}
    for name in sorted(index):
        axis = ax.xaxis if name == "x" else ax.yaxis
        lo, hi = sorted(axis.get_view_interval())
        locs = [t.get_loc() for t in axis._update_ticks()
                if lo - 1e-9 <= t.get_loc() <= hi + 1e-9 and t.label1.get_visible() and t.label1.get_text()]
        bad = [x for x in locs if abs(x - round(x)) > 1e-9]
        if bad:
            problems.append(f"axes {_title(ax)}: fractional ticks {', '.join(f'{x:g}' for x in bad[:4])} on the "
                            f"index axis {name}")
    return problems


def _title(ax) -> str:
    t = ax.get_title() or ax.get_title(loc="left") or ax.get_xlabel() or "(untitled)"
    return repr(t if len(t) <= 40 else t[:37] + "…")


def layout_problems(fig) -> list[str]:
    """Every problem of the module's list found in ``fig``, one sentence each (empty: none)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    problems = []
    boxes = text_boxes(fig, renderer)
    for name, _, b in boxes:
        if (b.x0 < canvas.x0 - _SLACK or b.y0 < canvas.y0 - _SLACK or b.x1 > canvas.x1 + _SLACK
                or b.y1 > canvas.y1 + _SLACK):
            problems.append(f"{name} extends beyond the canvas ({b.x0:.0f}..{b.x1:.0f} × {b.y0:.0f}..{b.y1:.0f} "
                            f"in {canvas.width:.0f} × {canvas.height:.0f} px)")
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (n1, _, a), (n2, _, b) = boxes[i], boxes[j]
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            if w > _SLACK and h > _SLACK:
                problems.append(f"{n1} overlaps {n2} ({w:.0f} × {h:.0f} px)")
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        legs = [leg for leg in [ax.get_legend()] + list(fig.legends) if leg is not None and leg.get_visible()]
        pts = data_points(ax)
        bars = _bars(ax, renderer)
        for leg in legs:
            lb = leg.get_window_extent(renderer)
            covered = pts[(pts[:, 0] > lb.x0) & (pts[:, 0] < lb.x1) & (pts[:, 1] > lb.y0) & (pts[:, 1] < lb.y1)]
            if len(covered):
                problems.append(f"the legend of {_title(ax)} covers {len(covered)} data point(s)")
            hit = [b for b in bars if min(b.x1, lb.x1) - max(b.x0, lb.x0) > _SLACK
                   and min(b.y1, lb.y1) - max(b.y0, lb.y0) > _SLACK]
            if hit:
                problems.append(f"the legend of {_title(ax)} covers {len(hit)} bar(s)")
        problems += _fractional_ticks(ax)
    return problems


# --- tidying a drawn figure ---------------------------------------------------------------------------

#: the legend positions tried inside an axes before one is placed outside it
_INSIDE = ("upper right", "upper left", "lower left", "lower right", "center right", "center left",
           "upper center", "lower center")


def _wrap(text: str, chars: int) -> str:
    """``text`` broken at spaces into lines of at most ``chars`` characters, never inside $…$ (math)."""
    import textwrap

    parts = text.split("$")
    protected = "$".join(p.replace(" ", "\x00") if i % 2 else p for i, p in enumerate(parts))
    lines = []
    for para in protected.split("\n"):
        lines += textwrap.wrap(para, max(chars, 12), break_long_words=False, break_on_hyphens=False) or [""]
    return "\n".join(lines).replace("\x00", " ")


def _fit_text(t, width: float, renderer) -> bool:
    """Wrap the text artist ``t`` to ``width`` pixels; whether it changed."""
    text = t.get_text()
    w = t.get_window_extent(renderer).width
    if not text.strip() or w <= width:
        return False
    longest = max(len(line) for line in text.split("\n"))
    chars = int(longest * width / w * 0.97)
    new = _wrap(text.replace("\n", " "), chars)
    if new == text:
        return False
    t.set_text(new)
    return True


def wrap_titles(fig) -> bool:
    """Wrap titles wider than their room: an axes title to its axes (to the canvas when the axes has no
    neighbour beside it), the figure's title to the canvas. Whether any changed."""
    renderer = fig.canvas.get_renderer()
    changed = False
    room = fig.bbox.width * 0.96
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_visible():
        changed |= _fit_text(sup, room, renderer)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for ax in axes:
        box = ax.get_position()
        beside = [o for o in axes if o is not ax and o.get_position().y0 < box.y1 and o.get_position().y1 > box.y0]
        centre = ax.bbox.x0 + ax.bbox.width / 2  # a title is centred on its axes
        width = ax.bbox.width * 1.1 if beside else 2 * min(centre, fig.bbox.width - centre) * 0.96
        for t in (ax.title, ax._left_title, ax._right_title):
            if t.get_visible():
                changed |= _fit_text(t, width, renderer)
    return changed


def _covers(leg, ax, renderer, fixed) -> bool:
    """Whether the legend covers a data point or bar of ``ax``, or overlaps another text of the figure.

    ``fixed``: (``ax``'s bars, the figure's text boxes but legends' (moving a legend moves no other
    text; measured once per pass: each measure lays out every tick label), the legends)."""
    lb = leg.get_window_extent(renderer)
    pts = data_points(ax)
    if len(pts) and np.any((pts[:, 0] > lb.x0) & (pts[:, 0] < lb.x1) & (pts[:, 1] > lb.y0) & (pts[:, 1] < lb.y1)):
        return True
    bars, texts, legends = fixed
    others = texts + [o.get_window_extent(renderer) for o in legends if o is not leg and o.get_visible()]
    return any(min(b.x1, lb.x1) - max(b.x0, lb.x0) > _SLACK and min(b.y1, lb.y1) - max(b.y0, lb.y0) > _SLACK
               for b in bars + others)


def _freeze_best(leg, renderer) -> None:
    """Give a legend placed "best" the named location it is at now: "best" is chosen again at every draw,
    from the data alone (not the texts), and may move onto a text after this check."""
    if leg._loc != 0:
        return
    now = leg.get_window_extent(renderer)
    for code in range(1, 11):
        leg.set_loc(code)
        b = leg.get_window_extent(renderer)
        if abs(b.x0 - now.x0) < 0.5 and abs(b.y0 - now.y0) < 0.5:
            return
    leg.set_loc("best")


def legends_clear_of_data(fig) -> bool:
    """Move each axes legend that covers a data point, a bar or a text to a free corner of its axes, else
    below its x axis. Whether any moved."""
    from matplotlib.transforms import offset_copy

    axes = [ax for ax in fig.axes if ax.get_visible()]
    if not any(ax.get_legend() is not None for ax in axes):
        return False
    if any(getattr(c, "labelTexts", None) for ax in axes for c in ax.collections):
        fig.draw_without_rendering()  # contour labels take their places at draw time
    renderer = fig.canvas.get_renderer()
    legends = [o for o in list(fig.legends) + [ax.get_legend() for ax in axes] if o is not None]
    texts = [b for name, owner, b in text_boxes(fig, renderer) if owner not in legends]
    moved = False
    for ax in axes:
        leg = ax.get_legend()
        if leg is None or not leg.get_visible():
            continue
        _freeze_best(leg, renderer)
        fixed = (_bars(ax, renderer), texts, legends)
        if not _covers(leg, ax, renderer, fixed):
            continue
        moved = True
        leg.set_bbox_to_anchor(None)  # the axes again (a previous pass may have anchored it below)
        for loc in _INSIDE:
            leg.set_loc(loc)
            if not _covers(leg, ax, renderer, fixed):
                break
        else:  # below the tick labels and the x label, whatever size the layout gives the axes
            below = ax.bbox.y0 - ax.xaxis.get_tightbbox(renderer).y0
            leg.set_bbox_to_anchor((0.5, 0.0), transform=offset_copy(
                ax.transAxes, fig=fig, y=-(below * 72 / fig.dpi + 4), units="points"))
            leg.set_loc("upper center")
    return moved


def integer_ticks(fig) -> None:
    """Integer tick positions on every index axis (:func:`layout_problems`' rule)."""
    from matplotlib.image import AxesImage
    from matplotlib.ticker import FixedLocator, MaxNLocator

    for ax in fig.axes:
        index = set(_integer_valued_axes(ax))
        if any(isinstance(im, AxesImage) for im in ax.images):
            index |= {"x", "y"}
        for name in index:
            axis = ax.xaxis if name == "x" else ax.yaxis
            if axis.get_scale() != "linear" or isinstance(axis.get_major_locator(), FixedLocator):
                continue
            lo, hi = sorted(axis.get_view_interval())
            whole = np.arange(np.ceil(lo - 1e-9), np.floor(hi + 1e-9) + 1)
            # MaxNLocator keeps fractional steps on a range shorter than its minimum number of ticks
            axis.set_major_locator(FixedLocator(whole) if len(whole) <= 8 else MaxNLocator(integer=True))


def _collide(axis, renderer) -> bool:
    labels = [t.label1 for t in axis._update_ticks() if t.label1.get_visible() and t.label1.get_text()]
    boxes = [lab.get_window_extent(renderer) for lab in labels]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def _labelled(axis) -> int:
    return sum(1 for t in axis._update_ticks() if t.label1.get_visible() and t.label1.get_text())


def thin_log_labels(fig) -> None:
    """A log axis whose tick labels collide (a short decade range labels its minor ticks): label only
    2 and 5 times the powers of ten, or, if those collide too or the axis spans decades, the powers alone."""
    from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullFormatter

    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log" or not _collide(axis, renderer):
                continue
            axis.set_minor_formatter(NullFormatter())
            if _labelled(axis) >= 2:
                continue
            axis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            axis.set_minor_formatter(LogFormatterSciNotation(labelOnlyBase=False))
            if _collide(axis, renderer):
                axis.set_minor_formatter(NullFormatter())


def tidy(fig, layout=None) -> None:
    """Make a drawn figure pass :func:`layout_problems` where that can be done without knowing what it
    shows: integer ticks on index axes, titles wrapped to their room, colliding log labels thinned,
    legends moved off the data; ``layout(fig)`` (e.g. tight_layout) is applied after each change."""
    layout = layout or (lambda f: None)
    integer_ticks(fig)
    layout(fig)
    for _ in range(2):  # a wrapped title changes the layout, which changes the room
        if not wrap_titles(fig):
            break
        layout(fig)
    thin_log_labels(fig)
    for _ in range(2):  # a new layout can move the data under a legend again
        if not legends_clear_of_data(fig):
            break
        layout(fig)
