/* The "i" beside each parameter: its meaning and source in a tooltip, shown while the pointer
 * is on the icon or the icon has the keyboard focus, hidden on leaving it or on Escape.
 *
 * One box for every icon (the text comes from the icon's data-meaning and data-source), not
 * a dbc.Tooltip per parameter: 54 of those were ~160 of the page's components, and Dash's
 * renderer does work for every component each time anything changes (issue 10). The box is
 * placed fixed beside the icon, so the scrolling controls panel does not clip it; while it is
 * shown, the icon is described by it (aria-describedby), as Bootstrap's tooltips do. */
(function () {
    "use strict";

    var TIP_ID = "param-info-tip";
    var tip = null;
    var current = null;

    function box() {
        if (!tip) {
            tip = document.createElement("div");
            tip.id = TIP_ID;
            tip.className = "param-info-tip";
            tip.setAttribute("role", "tooltip");
            tip.hidden = true;
            tip.appendChild(document.createElement("div"));
            var source = document.createElement("div");
            source.className = "param-source";
            tip.appendChild(source);
            document.body.appendChild(tip);
        }
        return tip;
    }

    function place(icon) {
        var t = box();
        var r = icon.getBoundingClientRect();
        var left = r.right + 8;
        if (left + t.offsetWidth > window.innerWidth - 4) {
            left = Math.max(4, r.left - t.offsetWidth - 8);
        }
        var top = r.top + r.height / 2 - t.offsetHeight / 2;
        top = Math.max(4, Math.min(top, window.innerHeight - t.offsetHeight - 4));
        t.style.left = left + "px";
        t.style.top = top + "px";
    }

    function show(icon) {
        var t = box();
        t.firstChild.textContent = icon.getAttribute("data-meaning") || "";
        t.lastChild.textContent = icon.getAttribute("data-source") || "";
        t.hidden = false;
        place(icon);
        if (current && current !== icon) {
            current.removeAttribute("aria-describedby");
        }
        icon.setAttribute("aria-describedby", TIP_ID);
        current = icon;
    }

    function hide() {
        if (tip) {
            tip.hidden = true;
        }
        if (current) {
            current.removeAttribute("aria-describedby");
        }
        current = null;
    }

    function iconOf(event) {
        return event.target.closest ? event.target.closest(".param-info") : null;
    }

    document.addEventListener("mouseover", function (event) {
        var icon = iconOf(event);
        if (icon) {
            show(icon);
        }
    });
    document.addEventListener("mouseout", function (event) {
        var icon = iconOf(event);
        if (icon && icon === current && document.activeElement !== icon) {
            hide();
        }
    });
    document.addEventListener("focusin", function (event) {
        var icon = iconOf(event);
        if (icon) {
            show(icon);
        }
    });
    document.addEventListener("focusout", function (event) {
        if (iconOf(event)) {
            hide();
        }
    });
    document.addEventListener("keydown", function (event) {
        if (event.key === "Escape") {
            hide();
        }
    });
    // The panel or the page scrolled: the box follows its icon.
    document.addEventListener("scroll", function () {
        if (current) {
            place(current);
        }
    }, true);
})();
