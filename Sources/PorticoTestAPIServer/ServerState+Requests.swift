internal import Foundation

/// Serving one HTTP request, in the order kube-apiserver's filters run: authentication, (injected
/// faults standing in for priority and fairness), path resolution, authorization, then the verb.
extension ServerState {
    /// Answers `request` and records it. `sink` reaches the request's connection if it opens a
    /// watch.
    mutating func handle(_ request: APIRequest, sink: @escaping @Sendable (WatchMessage) -> Void) -> APIResponse {
        var record = RecordedRequest(
            method: request.method,
            path: request.path,
            query: request.query,
            headers: request.headers,
            statusCode: 0,
            body: request.body.isEmpty ? nil : try? JSONValue(parsing: Data(request.body)),
            httpVersion: request.httpVersion,
            connection: request.connection
        )
        let response = respond(to: request, record: &record, sink: sink)
        record.statusCode = response.statusCode
        requests.append(record)
        return response
    }

    private mutating func respond(to request: APIRequest, record: inout RecordedRequest, sink: @escaping @Sendable (WatchMessage) -> Void) -> APIResponse {
        switch request.path {
        case "/healthz", "/livez", "/readyz":
            return .text(status: 200, body: "ok")
        case "/version":
            return .object(status: 200, body: ["major": "1", "minor": "33", "gitVersion": "v1.33.0-portico-test"], retryAfterSeconds: nil)
        default:
            break
        }
        guard let user = authenticate(request) else { return .status(.unauthorized) }
        record.user = user
        let target = ResourcePath.resolve(request.path, types: store.types)
        let verb = target.flatMap { Self.verb(method: request.method, target: $0, query: request.query) }
        if let target, let verb {
            record.verb = verb
            record.resource = target.subresource.map { "\(target.type.plural)/\($0)" } ?? target.type.plural
            record.namespace = target.namespace
            record.name = target.name
        }
        if let index = faults.firstIndex(where: { $0.matches(method: request.method, path: request.path) }) {
            faults[index].remaining -= 1
            let status = faults[index].fault.status
            if faults[index].remaining <= 0 { faults.remove(at: index) }
            return .status(status)
        }
        guard let target else { return .status(.pathNotFound) }
        guard let verb, let resource = record.resource else { return .status(.methodNotAllowed(request.method)) }
        if let subresource = target.subresource, subresource != "status" || !target.type.hasStatus || verb == "delete" {
            return .status(.pathNotFound)
        }
        let denied = denials.contains {
            $0.matches(verb: verb, resource: resource, group: target.type.group, namespace: target.namespace, user: user)
        }
        if denied {
            return .status(
                .forbidden(
                    user: user,
                    verb: verb,
                    type: target.type,
                    subresource: target.subresource,
                    namespace: target.namespace,
                    name: target.name
                )
            )
        }
        do {
            return try serve(verb: verb, target: target, request: request, sink: sink)
        } catch {
            return .status(error)
        }
    }

    private mutating func serve(verb: String, target: ResourcePath, request: APIRequest, sink: @escaping @Sendable (WatchMessage) -> Void) throws(APIStatus) -> APIResponse {
        let type = target.type
        let name = target.name ?? ""
        switch verb {
        case "get":
            return .object(status: 200, body: try store.get(type, namespace: target.namespace, name: name), retryAfterSeconds: nil)
        case "list":
            return .object(status: 200, body: try list(target, query: request.query), retryAfterSeconds: nil)
        case "watch":
            return try watch(target, query: request.query, sink: sink)
        case "create":
            try Self.requireJSON(request)
            let write = try store.create(type, namespace: target.namespace, object: try Self.body(request))
            publish(write.event)
            return .object(status: 201, body: write.object, retryAfterSeconds: nil)
        case "update":
            try Self.requireJSON(request)
            let body = try Self.body(request)
            let write = try store.replace(type, namespace: target.namespace, name: name, subresource: target.subresource, object: body)
            publish(write.event)
            return .object(status: 200, body: write.object, retryAfterSeconds: nil)
        case "patch":
            let contentType = request.contentType ?? ""
            guard contentType.hasPrefix("application/merge-patch+json") || contentType.hasPrefix("application/strategic-merge-patch+json") else {
                throw APIStatus.unsupportedMediaType(
                    contentType,
                    accepted: "application/merge-patch+json, application/strategic-merge-patch+json"
                )
            }
            let write = try store.patch(type, namespace: target.namespace, name: name, subresource: target.subresource, patch: try Self.body(request))
            publish(write.event)
            return .object(status: 200, body: write.object, retryAfterSeconds: nil)
        default:
            let options = try request.body.isEmpty ? nil : Self.body(request)
            let precondition = options?["preconditions"]?["resourceVersion"]?.stringValue
            let write = try store.delete(type, namespace: target.namespace, name: name, precondition: precondition)
            publish(write.event)
            var details = APIStatus.objectDetails(type, name: name)
            details["uid"] = write.object["metadata"]?["uid"]
            let success: JSONValue = [
                "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "details": .object(details),
            ]
            return .object(status: 200, body: success, retryAfterSeconds: nil)
        }
    }

    /// A list, optionally one page of it. The continue token carries the list's resourceVersion,
    /// so later pages are served from the same snapshot (rebuilt from history) and expire with
    /// 410 once that history is compacted, as with etcd.
    private func list(_ target: ResourcePath, query: [String: String]) throws(APIStatus) -> JSONValue {
        let labels = try Selector.parse(query["labelSelector"] ?? "")
        let fields = try Selector.parse(query["fieldSelector"] ?? "")
        let limit = max(Int(query["limit"] ?? "") ?? 0, 0)
        var exactly: Int?
        var startAfter: StoreKey?
        if let text = query["continue"], !text.isEmpty {
            if let version = query["resourceVersion"], !version.isEmpty {
                throw APIStatus.badRequest("specifying resource version is not allowed when using continue")
            }
            guard let token = ContinueToken(encoded: text) else { throw APIStatus.badRequest("continue key is not valid") }
            exactly = token.resourceVersion
            startAfter = StoreKey(namespace: token.namespace, name: token.name)
        } else if let text = query["resourceVersion"], !text.isEmpty, text != "0" {
            guard let version = Int(text) else { throw APIStatus.badRequest("invalid resource version: \(text)") }
            if query["resourceVersionMatch"] == "Exact" {
                exactly = version
            } else if version > store.resourceVersion {
                throw APIStatus.tooLargeResourceVersion(requested: version, current: store.resourceVersion)
            }
        }
        let snapshot: (items: [(StoreKey, JSONValue)], resourceVersion: Int)
        do {
            snapshot = try store.list(target.type, namespace: target.namespace, exactly: exactly)
        } catch {
            throw startAfter == nil ? error : APIStatus.continueExpired
        }
        var items = snapshot.items.filter { key, object in
            (startAfter.map { key > $0 } ?? true)
                && labels.matches(object.labels)
                && fields.matches(object.fieldValues(fields.keys))
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(snapshot.resourceVersion))]
        if limit > 0, items.count > limit {
            let last = items[limit - 1].0
            metadata["continue"] = .string(ContinueToken(resourceVersion: snapshot.resourceVersion, namespace: last.namespace, name: last.name).encoded)
            metadata["remainingItemCount"] = .integer(Int64(items.count - limit))
            items = Array(items.prefix(limit))
        }
        return [
            "kind": .string(target.type.listKind),
            "apiVersion": .string(target.type.apiVersion),
            "metadata": .object(metadata),
            "items": .array(items.map { _, object in Self.listItem(object) }),
        ]
    }

    /// Opens a watch. With no resourceVersion (or "0", or `sendInitialEvents=true`) it starts with
    /// an ADDED event per current object; otherwise it replays the history after that version,
    /// or sends a 410 `ERROR` event and ends if the history no longer reaches back that far.
    private mutating func watch(_ target: ResourcePath, query: [String: String], sink: @escaping @Sendable (WatchMessage) -> Void) throws(APIStatus) -> APIResponse {
        let allowBookmarks = Self.isTrue(query["allowWatchBookmarks"])
        // Capped at a week so a huge value cannot overflow the event loop's timer arithmetic.
        let seconds = min(Int(query["timeoutSeconds"] ?? "") ?? 0, 7 * 24 * 3600)
        let timeout = seconds > 0 ? Duration.seconds(seconds) : defaultWatchTimeout
        let subscription = WatchSubscription(
            id: nextWatchID,
            type: target.type,
            namespace: target.namespace,
            labelSelector: try Selector.parse(query["labelSelector"] ?? ""),
            fieldSelector: try Selector.parse(query["fieldSelector"] ?? ""),
            allowBookmarks: allowBookmarks,
            deliver: sink
        )
        var messages: [WatchMessage] = []
        let text = query["resourceVersion"] ?? ""
        let sendInitialEvents = Self.isTrue(query["sendInitialEvents"])
        if text.isEmpty || text == "0" || sendInitialEvents {
            for (_, object) in try store.list(target.type, namespace: target.namespace).items where subscription.matches(object) {
                messages.append(.event(type: "ADDED", object: object))
            }
            if sendInitialEvents, allowBookmarks {
                messages.append(.bookmark(target.type, resourceVersion: store.resourceVersion, annotations: ["k8s.io/initial-events-end": "true"]))
            }
        } else {
            guard let version = Int(text) else { throw APIStatus.badRequest("invalid resource version: \(text)") }
            if version > store.resourceVersion {
                throw APIStatus.tooLargeResourceVersion(requested: version, current: store.resourceVersion)
            }
            do {
                for event in try store.events(after: version) {
                    if let message = subscription.message(for: event) { messages.append(message) }
                }
            } catch {
                return .watch(WatchOpening(id: nil, messages: [.error(error), .end(clean: true)], timeout: timeout))
            }
        }
        nextWatchID += 1
        watches[subscription.id] = subscription
        return .watch(WatchOpening(id: subscription.id, messages: messages, timeout: timeout))
    }

    /// The Kubernetes verb of a request, nil for a method the path does not allow.
    private static func verb(method: String, target: ResourcePath, query: [String: String]) -> String? {
        switch (method, target.name) {
        case ("GET", .some): "get"
        case ("GET", nil): isTrue(query["watch"]) ? "watch" : "list"
        case ("POST", nil) where target.namespace != nil || !target.type.namespaced: "create"
        case ("PUT", .some): "update"
        case ("PATCH", .some): "patch"
        case ("DELETE", .some): "delete"
        default: nil
        }
    }

    /// The client certificate's user if one was verified, else the bearer token's.
    private func authenticate(_ request: APIRequest) -> String? {
        if let user = request.clientUser { return user }
        guard let header = request.authorization, header.lowercased().hasPrefix("bearer ") else { return nil }
        return tokens[String(header.dropFirst("bearer ".count)).trimmingSpaces]
    }

    /// POST and PUT bodies must be JSON (this server speaks no YAML or protobuf); a missing
    /// Content-Type counts as JSON, as on the real server.
    private static func requireJSON(_ request: APIRequest) throws(APIStatus) {
        let contentType = request.contentType ?? ""
        guard contentType.isEmpty || contentType.hasPrefix("application/json") else {
            throw APIStatus.unsupportedMediaType(contentType, accepted: "application/json")
        }
    }

    private static func body(_ request: APIRequest) throws(APIStatus) -> JSONValue {
        do {
            return try JSONValue(parsing: Data(request.body))
        } catch {
            throw APIStatus.badRequest("couldn't get version/kind; json parse error: \(error)")
        }
    }

    /// List items carry no kind or apiVersion, as the real server writes them.
    private static func listItem(_ object: JSONValue) -> JSONValue {
        var item = object
        item["kind"] = nil
        item["apiVersion"] = nil
        return item
    }

    static func isTrue(_ value: String?) -> Bool {
        value == "1" || value == "true"
    }
}
