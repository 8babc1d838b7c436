// The single .html file (builder/single.py, docs/tracking.md): with JavaScript, one page at a time.
// Its pages are <section data-cp-page> elements. The one shown holds the element the #hash names
// (no hash: the first, the course home; a target in no page, like #main: no change), so every link
// between pages is a page change and the Back button goes back a page. It runs before
// coursepack.js, which reads the page from the section shown. Only the single file carries it.
// ES5 for old WebViews.
(function (w, d) {
  'use strict';
  if (!d.querySelector || ![].forEach) return;
  var pages = [].slice.call(d.querySelectorAll('[data-cp-page]')), shown;
  function show() {
    var id = location.hash.slice(1), page = id ? shown : pages[0], e, menu = d.querySelector('.site-nav details'),
      offer = d.querySelector('.cp-resume');
    try { id = decodeURIComponent(id); } catch (x) {}
    e = id && d.getElementById(id);
    pages.forEach(function (s) { if (e && s.contains(e)) page = s; });
    page = page || pages[0];
    pages.forEach(function (s) { s[s == page ? 'removeAttribute' : 'setAttribute']('hidden', ''); });
    [].forEach.call(d.querySelectorAll('.site-nav a'), function (a) {
      a[a.getAttribute('href') == '#' + page.id ? 'setAttribute' : 'removeAttribute']('aria-current', 'page');
    });
    d.title = page.getAttribute('data-cp-title') || d.title;
    if (menu) menu.removeAttribute('open');
    if (page == shown) return; // an anchor on the page shown: the browser has scrolled to it
    if (shown) { // a new page: as when a page loads, the offer to continue has gone and focus starts at the top
      if (offer) offer.parentNode.removeChild(offer);
      d.querySelector('main').focus();
    }
    shown = page;
    if (e && e != page) e.scrollIntoView(); else w.scrollTo(0, 0);
  }
  if (pages.length) {
    show();
    w.addEventListener('hashchange', show);
  }
})(window, document);
