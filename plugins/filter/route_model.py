# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: route_model
short_description: Compute the reverse proxy's route model from Node-RED's paths and the access policy
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Return the routes that the reverse proxy serves in front of Node-RED, each with its URL
    matchers, who authenticates it (Node-RED, the proxy or nobody), whether it carries
    WebSockets, its Origin check, its rate-limit class and its allowed source networks.
  - The nginx and HAProxy templates of the C(moat.nodered.reverse_proxy) role print this
    model, and the Molecule verify walks it, so both proxies and the tests share one list.
  - Route names are stable identifiers used by C(moat_public_routes) and the tests
    (C(editor), C(admin-login), C(admin-api), C(editor-comms), C(dashboard1), C(dashboard1-socketio),
    C(dashboard1-admin), C(dashboard2), C(dashboard2-socketio), C(dashboard2-debug), C(dashboard2-admin),
    C(http-in:NAME), C(websocket-in:NAME), C(static), C(http-in), C(unrouted), C(acme-challenge)).
  - Matchers compare paths without regard to case, as Express does. C(dispatch) lists all
    matchers of the HTTPS listener in the order in which a proxy must try them.
options:
  _input:
    description:
      - The route settings, as a mapping.
    type: dict
    required: true
    suboptions:
      admin_root:
        description: Node-RED's httpAdminRoot, starting and ending with C(/).
        type: str
        default: /
      node_root:
        description: Node-RED's httpNodeRoot, starting and ending with C(/).
        type: str
        default: /
      dashboards:
        description: Installed dashboards, each C({type, path}) with type C(dashboard1) or C(dashboard2) and a path relative to O(_input.node_root).
        type: list
        elements: dict
      websocket_endpoints:
        description: WebSocket-in listeners to name, each C({name, path}) with a literal path relative to O(_input.node_root).
        type: list
        elements: dict
      http_endpoints:
        description: HTTP-in endpoints to name, each C({name, path}) with a literal path relative to O(_input.node_root).
        type: list
        elements: dict
      static_root:
        description: URL path of httpStatic files, or null when Node-RED serves none.
        type: str
      public_routes:
        description: Names of routes that need no proxy authentication.
        type: list
        elements: str
      editor_allowed_sources:
        description: Networks in CIDR form allowed to reach the editor and admin API; empty allows any.
        type: list
        elements: str
      editor_basic_auth:
        description: Require proxy basic authentication in front of the editor as well.
        type: bool
        default: false
      admin_extra_paths:
        description: Admin endpoints that other installed nodes register, relative to O(_input.admin_root).
        type: list
        elements: str
      acme_challenge:
        description: Serve C(/.well-known/acme-challenge/) on the HTTP port.
        type: bool
        default: true
"""

EXAMPLES = r"""
---
- name: Compute the route model
  ansible.builtin.set_fact:
    __reverse_proxy_model: >-
      {{ {
           'admin_root': '/nodered/',
           'node_root': '/nodered/',
           'dashboards': [{'type': 'dashboard2', 'path': 'dashboard'}],
           'websocket_endpoints': [{'name': 'events', 'path': 'ws/events'}],
           'public_routes': ['http-in:status'],
           'http_endpoints': [{'name': 'status', 'path': 'status'}],
         } | moat.nodered.route_model }}
"""

RETURN = r"""
_value:
  description: The route model.
  type: dict
  contains:
    routes:
      description:
        - The routes, each a mapping with the keys C(name), C(kind), C(description), C(listener)
          (C(https) or C(http)), C(action) (C(proxy), C(deny), C(not-found) or C(acme)),
          C(matchers), C(node_red_auth), C(proxy_auth), C(bearer_bypass), C(public),
          C(websocket), C(origin_check) (C(all), C(upgrade) or C(none)), C(buffering),
          C(rate_limit) (C(login), C(basic) or C(none)), C(sources), C(methods) and C(sample).
        - Each matcher is a mapping C({match, path, regex}) with match C(exact) or C(prefix).
      type: list
      elements: dict
    dispatch:
      description: Every matcher of the HTTPS listener with its C(route) name, most specific first.
      type: list
      elements: dict
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.routes import (
    RouteModelError,
    build_route_model,
)

FILTER_NAME = "moat.nodered.route_model"


def route_model(settings: object) -> dict[str, list[dict]]:
    """Compute the route model from the route settings."""
    try:
        return build_route_model(settings)
    except RouteModelError as error:
        raise AnsibleFilterError(f"{FILTER_NAME}: {error}") from None


class FilterModule:
    """moat.nodered route model filter."""

    def filters(self) -> dict[str, t.Callable[..., dict]]:
        return {"route_model": route_model}
