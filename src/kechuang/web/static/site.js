/* Every page: the collapsible menu on narrow screens, and tables that scroll inside their own box.
   No inline script: this file is loaded with `defer` by base.html. */
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');
  var header = document.querySelector('header.site');
  var toggle = document.getElementById('menu-toggle');
  if (header && toggle) {
    toggle.addEventListener('click', function () {
      var open = header.classList.toggle('menu-open');
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }
  /* "Go back" links: the previous page when there is one (the link's own address otherwise). */
  Array.prototype.forEach.call(document.querySelectorAll('a[data-back]'), function (link) {
    link.addEventListener('click', function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
  /* Wrap every table of the page in a box that scrolls sideways; a box that does scroll becomes a
     focusable, named region so that keyboard users can scroll it too. */
  var tables = document.querySelectorAll('main table');
  Array.prototype.forEach.call(tables, function (table) {
    if (table.parentElement.closest('.table-wrap, .scroll')) return;
    var box = document.createElement('div');
    box.className = 'table-wrap';
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  });
  function nameOf(box) {
    var caption = box.querySelector('caption');
    if (caption) return caption.textContent.trim();
    var node = box;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }
  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll('.table-wrap'), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute('tabindex')) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        if (!box.hasAttribute('aria-label')) box.setAttribute('aria-label', nameOf(box));
        box.setAttribute('data-scrolls', '1');
      } else if (!scrolls && box.getAttribute('data-scrolls') === '1') {
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
        box.removeAttribute('data-scrolls');
      }
    });
  }
  mark();
  window.addEventListener('resize', mark);
})();

// a "print this page" button (the leader's dashboard); the print style sheet drops menus and forms
document.querySelectorAll('[data-print]').forEach((button) => {
  button.addEventListener('click', () => window.print());
});
