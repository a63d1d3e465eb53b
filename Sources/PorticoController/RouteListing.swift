public import PorticoRouteTable

/// Renders a compiled table as aligned text columns for `portico routes`: what a person needs to
/// see to know where a request will go.
public enum RouteListing {
    public static func render(_ table: RouteTable) -> String {
        var rows: [[String]] = [["HOST", "PATH", "MATCH", "BACKEND", "ENDPOINTS", "FROM"]]
        let hosts = table.virtualHosts.sorted { order($0.match) < order($1.match) }
        for host in hosts {
            for route in host.routes {
                rows.append(row(host: host.match.description, path: route.match.path, match: kind(route.match), route: route, table: table))
            }
            if let fallback = host.fallback {
                rows.append(row(host: host.match.description, path: "(no match)", match: "fallback", route: fallback, table: table))
            }
        }
        if let route = table.defaultRoute {
            rows.append(row(host: "(any)", path: "(no match)", match: "default", route: route, table: table))
        }
        if rows.count == 1 { return "No routes. Every request gets 404.\n" }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).enumerated().map { index, cell in
                index == row.count - 1 ? cell.0 : cell.0 + String(repeating: " ", count: max(0, cell.1 - cell.0.count))
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    private static func row(host: String, path: String, match: String, route: Route, table: RouteTable) -> [String] {
        let endpoints: String
        switch route.backend {
        case .cluster(let id):
            if table.clusters[id]?.serviceExists == false {
                endpoints = "(service missing: 503)"
            } else {
                let list = table.endpoints[id] ?? []
                endpoints = list.isEmpty ? "(none ready: 503)" : list.map(\.description).joined(separator: ",")
            }
        }
        let from = route.source.ingress.isEmpty ? "--default-backend-service" : "\(route.source.namespace)/\(route.source.ingress)"
        return [host, path, match, route.backend.description, endpoints, from]
    }

    private static func kind(_ match: PathMatch) -> String {
        switch match {
        case .exact: "Exact"
        case .prefix: "Prefix"
        }
    }

    /// Exact hosts first (alphabetically), then wildcards, then the catch-all.
    private static func order(_ match: HostMatch) -> String {
        switch match {
        case .exact(let name): "0\(name)"
        case .wildcard(let suffix): "1\(suffix)"
        case .any: "2"
        }
    }
}
