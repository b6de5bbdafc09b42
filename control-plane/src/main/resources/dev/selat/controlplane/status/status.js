// Selat status page: polls /api/status once a second and renders it with DOM calls only (no innerHTML: every
// string shown, NACK messages and node metadata included, is text). The admin token, when the control plane
// asks for one, is kept in sessionStorage and sent as "Authorization: Bearer", never in a URL.
'use strict';
(function () {
  const TOKEN_KEY = 'selat.adminToken';
  const POLL_MS = 1000;
  const $ = (id) => document.getElementById(id);
  let service = null;
  let timer = null;
  let siteColours = new Map();

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function ms(v) {
    if (v === null || v === undefined) return '–';
    return v < 10 ? v.toFixed(1) + ' ms' : Math.round(v) + ' ms';
  }

  function age(msValue) {
    if (msValue === null || msValue === undefined) return '–';
    const s = msValue / 1000;
    if (s < 1) return 'now';
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return Math.round(s / 3600) + ' h';
  }

  function clock(iso) {
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleTimeString([], { hour12: false });
  }

  /** Hue 140 (green) at 1 ms or less to 0 (red) at 100 ms or more, on a log scale. */
  function hue(rttMs) {
    const x = Math.min(1, Math.max(0, Math.log10(Math.max(rttMs, 1)) / 2));
    return Math.round(140 * (1 - x));
  }

  function colour(site) {
    if (!siteColours.has(site)) siteColours.set(site, 'c' + (siteColours.size % 7));
    return siteColours.get(site);
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function poll() {
    clearTimeout(timer);
    const headers = { Accept: 'application/json' };
    const t = token();
    if (t) headers.Authorization = 'Bearer ' + t;
    const url = '/api/status' + (service ? '?service=' + encodeURIComponent(service) : '');
    try {
      const res = await fetch(url, { headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
      if (res.status === 401) {
        askForToken(t ? 'That token was refused.' : '');
        return;
      }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      render(await res.json());
      $('live').textContent = 'Live · updated ' + new Date().toLocaleTimeString([], { hour12: false });
      $('live').classList.remove('down');
    } catch (e) {
      $('live').textContent = 'Control plane unreachable (' + e.message + '); retrying';
      $('live').classList.add('down');
    }
    timer = setTimeout(poll, POLL_MS);
  }

  function askForToken(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('dashboard').hidden = true;
    $('forget').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message;
    $('live').textContent = 'Admin token needed';
    $('token').focus();
  }

  function render(s) {
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('forget').hidden = !token();
    for (const site of s.sites) colour(site.site);
    renderMatrix(s);
    renderSites(s);
    renderRoutes(s);
    renderProxies(s);
    renderEvents(s);
    document.title = (s.ready ? '' : '(not ready) ') + 'Selat control plane';
  }

  let matrixKey = null;

  /**
   * The heat map. Its cells are built once per set of sites and updated in place, so that a cell keeps keyboard
   * focus (and its jitter/loss details stay open) across updates.
   */
  function renderMatrix(s) {
    const sites = s.sites.map((x) => x.site);
    const key = sites.join(',');
    if (key !== matrixKey) {
      matrixKey = key;
      const head = el('tr', {}, el('td', {}, el('span', { class: 'sr-only', text: 'from \\ to' })));
      for (const to of sites) head.append(el('th', { scope: 'col', text: to }));
      $('matrix').tHead.replaceChildren(head);
      $('matrix').tBodies[0].replaceChildren(...sites.map((from) => el('tr', {},
        el('th', { scope: 'row', text: from }),
        ...sites.map((to) => from === to
          ? el('td', { class: 'cell local', 'data-from': from, 'data-to': to }, 'local')
          : el('td', { class: 'cell', tabindex: 0, 'data-from': from, 'data-to': to })))));
    }
    const cells = new Map(s.cells.map((c) => [c.from + '>' + c.to, c]));
    for (const td of $('matrix').tBodies[0].querySelectorAll('td.cell:not(.local)')) {
      const c = cells.get(td.dataset.from + '>' + td.dataset.to);
      if (!c) {
        td.className = 'cell';
        td.removeAttribute('data-rtt-ms');
        td.removeAttribute('data-source');
        td.replaceChildren('–');
        continue;
      }
      const more = el('span', { class: 'more' },
        'jitter ' + ms(c.jitterMs) + ' · loss ' + (c.lossRatio === null ? '–' : (c.lossRatio * 100).toFixed(1) + '%'),
        el('br'), 'routing uses ' + ms(c.routingRttMs),
        c.hysteresisHoldingSince ? el('span', {}, el('br'), 'hysteresis holding since ' + clock(c.hysteresisHoldingSince)) : null,
        el('br'), (c.agents || 0) + ' probe agent' + (c.agents === 1 ? '' : 's'));
      td.className = 'cell ' + c.source;
      td.dataset.rttMs = c.rttMs;
      td.dataset.source = c.source;
      td.style.setProperty('--h', hue(c.rttMs));
      td.replaceChildren(el('span', { class: 'rtt', text: ms(c.rttMs) }),
        el('span', { class: 'src', text: c.source + (c.source === 'nominal' ? '' : ' · ' + age(c.ageMs)) }),
        more);
    }
  }

  function renderSites(s) {
    const rows = s.sites.map((x) => el('tr', { 'data-site': x.site },
      el('th', { scope: 'row' }, x.site, x.region ? el('span', { class: 'region', text: x.region }) : null),
      el('td', {}, el('span', { class: 'badge state-' + x.state, text: x.state })),
      el('td', { text: x.state === 'synced' ? 'current' : age(x.dataAgeMs) }),
      el('td', { text: x.services === undefined ? '–' : x.services }),
      el('td', { text: x.expired ? x.expiredMode : 'no' })));
    $('sites').tBodies[0].replaceChildren(...rows);
  }

  function renderRoutes(s) {
    const select = $('service');
    const names = s.services || [];
    if (select.options.length !== names.length || names.some((n, i) => select.options[i].value !== n)) {
      select.replaceChildren(...names.map((n) => el('option', { value: n, text: n })));
    }
    if (s.service) select.value = s.service;
    service = s.service;
    const out = s.routes.map((r) => {
      const shares = Object.entries(r.shares).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
      const summary = shares.map(([site, v]) => site + ' ' + (v / 10).toFixed(1) + '%').join(', ') || 'no route';
      const bar = el('div', { class: 'bar', role: 'img', 'aria-label': 'shares: ' + summary });
      for (const [site, v] of shares) {
        const seg = el('div', { class: 'seg ' + colour(site), 'data-site': site, 'data-share': v });
        seg.style.width = v / 10 + '%';
        bar.append(seg);
      }
      const legend = el('ul', { class: 'shares' }, ...shares.map(([site, v]) =>
        el('li', {}, el('span', { class: 'swatch ' + colour(site), 'aria-hidden': 'true' }), site + ' ' + (v / 10).toFixed(1) + '%')));
      const reasons = el('table', { class: 'reasons' },
        el('thead', {}, el('tr', {}, ...['Site', 'Priority', 'Weight', 'RTT', 'Healthy', 'Why'].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, ...r.reasons.map((x) => el('tr', {},
          el('th', { scope: 'row', text: x.site }),
          el('td', { text: x.priority === null ? 'left out' : x.priority }),
          el('td', { text: x.weight }),
          el('td', { text: x.rttSource === 'local' ? 'local' : ms(x.rttMs) + ' (' + x.rttSource + ')' }),
          el('td', { text: x.healthy + '/' + x.total }),
          el('td', { text: x.note })))));
      return el('article', { class: 'route', 'data-client-site': r.clientSite },
        el('h3', { text: 'Clients in ' + r.clientSite }), bar, legend, el('div', { class: 'scroll' }, reasons));
    });
    $('routes').replaceChildren(...(out.length ? out : [el('p', { text: 'No routes yet.' })]));
  }

  const SHORT = (typeUrl) => typeUrl.replace(/^.*\.(\w+)$/, '$1')
    .replace('ClusterLoadAssignment', 'EDS').replace('RouteConfiguration', 'RDS')
    .replace('Cluster', 'CDS').replace('Listener', 'LDS');

  function renderProxies(s) {
    $('proxy-count').textContent = s.proxies.length + ' connected';
    const rows = s.proxies.map((p) => {
      const acked = el('td', { class: 'mono' });
      let nack = null;
      for (const t of p.types) {
        const state = t.awaitingAck ? 'pending' : t.ackedVersion ? 'ok' : 'none';
        acked.append(el('div', { class: state === 'pending' ? 'pending' : 'ok' },
          SHORT(t.typeUrl) + ' ' + (t.ackedVersion || '–') + (t.awaitingAck ? ' (sent ' + t.sentVersion + ', awaiting ACK)' : '')));
        if (t.lastNack && (!nack || t.lastNack.at > nack.at)) nack = Object.assign({ type: SHORT(t.typeUrl) }, t.lastNack);
      }
      return el('tr', { 'data-node': p.nodeId },
        el('th', { scope: 'row', class: 'mono', text: p.nodeId }),
        el('td', { text: p.site }),
        el('td', { text: p.role || '–' }),
        el('td', { text: (p.protocol === 'delta' ? 'Delta' : 'SotW') + ' · ' + p.service }),
        acked,
        el('td', { class: nack ? 'nack last-nack' : 'last-nack' }, nack
          ? el('span', {}, nack.type + ' ' + nack.version + ' at ' + clock(nack.at) + ': ', el('q', { text: nack.errorDetail }))
          : 'none'));
    });
    $('proxies').tBodies[0].replaceChildren(...(rows.length ? rows
      : [el('tr', {}, el('td', { colspan: 6, text: 'No proxy connected.' }))]));
  }

  function renderEvents(s) {
    const items = s.events.slice().reverse().map((e) => el('li', { 'data-kind': e.kind },
      el('time', { datetime: e.at, text: clock(e.at) }),
      el('span', {}, el('span', { class: 'badge k-' + e.kind, text: e.kind })),
      el('span', { class: 'msg', text: e.message })));
    $('events').replaceChildren(...(items.length ? items : [el('li', {}, el('span', { text: 'Nothing yet.' }))]));
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = $('token').value.trim();
      $('token').value = '';
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      $('login-error').textContent = '';
      poll();
    });
    $('forget').addEventListener('click', () => {
      clearTimeout(timer);
      askForToken('');
    });
    $('service').addEventListener('change', (ev) => {
      service = ev.target.value;
      poll();
    });
    poll();
  });
})();
