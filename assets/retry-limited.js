/* A callback request the server refused for its rate limit (429) is sent again once the
 * server's Retry-After has passed (at most 10 s, 3 times), instead of being dropped.
 *
 * The limits count per client address (dashboard/limits.py), and users behind one address (a
 * lecture hall behind a campus NAT, a container's published port) share one count. Dropped,
 * a refused request left the page showing the slider's new position with the figures, the
 * link and the readouts of an older one, and said nothing. Sent again after the wait, it is
 * answered, or it is superseded by a newer request whose answer the renderer takes instead;
 * meanwhile the figures' loading marker shows that something is pending. Waiting the server's
 * time keeps the limit what it is for: no client sends faster than it allows.
 */
(function () {
  'use strict';
  var send = window.fetch;
  var MAX_RETRIES = 3;
  var MAX_WAIT_S = 10;

  function wait(response) {
    var seconds = parseFloat(response.headers.get('Retry-After'));
    seconds = isFinite(seconds) && seconds > 0 ? Math.min(seconds, MAX_WAIT_S) : 1;
    return new Promise(function (resolve) { setTimeout(resolve, seconds * 1000); });
  }

  window.fetch = function (input, init) {
    // Dash's renderer passes the URL as text and the body as text, which can be sent again.
    if (typeof input !== 'string' || input.indexOf('/_dash-update-component') === -1) {
      return send.apply(this, arguments);
    }
    var self = this;
    function attempt(left) {
      return send.call(self, input, init).then(function (response) {
        if (response.status !== 429 || left === 0) {
          return response;
        }
        return wait(response).then(function () { return attempt(left - 1); });
      });
    }
    return attempt(MAX_RETRIES);
  };
})();
