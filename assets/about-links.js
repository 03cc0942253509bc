/* In-page links of the "About the model" panel (its table of contents).
 *
 * dcc.Markdown gives headings no ids, and following "#known-limits" would put that word in the
 * page URL, where the fragment holds the Sweep and Sensitivity settings. So a click on such a
 * link scrolls the panel to the heading whose GitHub-style slug matches, and leaves the URL
 * alone. */
(function () {
    "use strict";

    function slug(text) {
        return text.trim().toLowerCase().replace(/[^\w\- ]+/g, "").replace(/ /g, "-");
    }

    document.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest(".about-markdown a[href^='#']");
        if (!link) {
            return;
        }
        event.preventDefault();
        var target = decodeURIComponent(link.getAttribute("href").slice(1));
        var headings = link.closest(".about-markdown").querySelectorAll("h1, h2, h3, h4");
        for (var i = 0; i < headings.length; i += 1) {
            if (slug(headings[i].textContent) === target) {
                headings[i].scrollIntoView({block: "start"});
                return;
            }
        }
    });
})();
