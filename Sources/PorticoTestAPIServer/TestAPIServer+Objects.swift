internal import Synchronization

/// Reading and changing objects as `kubectl` would: each write bumps the resourceVersion and
/// reaches open watches, exactly like a write over HTTP. Errors are the `APIStatus` a client
/// would get.
extension TestAPIServer {
    /// The current (latest) resourceVersion.
    public var resourceVersion: Int {
        core.state.withLock { $0.store.resourceVersion }
    }

    /// Serves another resource type (a CRD, say) from now on.
    public func register(_ type: ResourceType) {
        core.state.withLock { $0.store.register(type) }
    }

    /// Creates an object; its type comes from `apiVersion` and `kind`, its namespace from
    /// `metadata.namespace` (default `default`). 409 AlreadyExists if it exists.
    @discardableResult
    public func create(_ object: JSONValue) throws(APIStatus) -> JSONValue {
        let type = try resourceType(of: object)
        return try core.write { (store) throws(APIStatus) in try store.create(type, namespace: nil, object: object) }
    }

    /// Replaces an object as a PUT does: `.status` is kept for types with a status subresource,
    /// and a non-empty `metadata.resourceVersion` must be current (409 Conflict).
    @discardableResult
    public func update(_ object: JSONValue) throws(APIStatus) -> JSONValue {
        let type = try resourceType(of: object)
        let (namespace, name) = try Self.identity(of: object, type: type)
        return try core.write { (store) throws(APIStatus) in
            try store.replace(type, namespace: namespace, name: name, subresource: nil, object: object)
        }
    }

    /// Replaces only `.status`, as a PUT to `/status` does.
    @discardableResult
    public func updateStatus(_ object: JSONValue) throws(APIStatus) -> JSONValue {
        let type = try resourceType(of: object)
        let (namespace, name) = try Self.identity(of: object, type: type)
        return try core.write { (store) throws(APIStatus) in
            try store.replace(type, namespace: namespace, name: name, subresource: "status", object: object)
        }
    }

    /// Creates the object or replaces all of it, status included, whatever its
    /// `metadata.resourceVersion` says: the way a test sets up state.
    @discardableResult
    public func apply(_ object: JSONValue) throws(APIStatus) -> JSONValue {
        let type = try resourceType(of: object)
        let (namespace, name) = try Self.identity(of: object, type: type)
        var unconditional = object
        unconditional["metadata"]?["resourceVersion"] = nil
        return try core.write { (store) throws(APIStatus) in
            if (try? store.get(type, namespace: namespace, name: name)) == nil {
                return try store.create(type, namespace: namespace, object: unconditional)
            }
            return try store.replace(type, namespace: namespace, name: name, subresource: nil, object: unconditional, keepStatus: false)
        }
    }

    /// `apply` for a JSON document; 400 BadRequest if it is not JSON.
    @discardableResult
    public func apply(json: String) throws(APIStatus) -> JSONValue {
        try apply(Self.parse(json))
    }

    @discardableResult
    public func create(json: String) throws(APIStatus) -> JSONValue {
        try create(Self.parse(json))
    }

    /// Deletes an object and returns its last state (with the deletion's resourceVersion).
    @discardableResult
    public func delete(_ type: ResourceType, namespace: String? = nil, name: String) throws(APIStatus) -> JSONValue {
        try core.write { (store) throws(APIStatus) in try store.delete(type, namespace: namespace, name: name) }
    }

    /// The stored object, or nil. `namespace` defaults to `default` for namespaced types.
    public func object(_ type: ResourceType, namespace: String? = nil, name: String) -> JSONValue? {
        core.state.withLock { try? $0.store.get(type, namespace: namespace, name: name) }
    }

    /// The stored objects of a type, in one namespace or all, sorted by namespace and name.
    public func objects(_ type: ResourceType, namespace: String? = nil) -> [JSONValue] {
        core.state.withLock { state in
            ((try? state.store.list(type, namespace: namespace))?.items ?? []).map(\.1)
        }
    }

    private func resourceType(of object: JSONValue) throws(APIStatus) -> ResourceType {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let type = core.state.withLock({ $0.store.type(apiVersion: apiVersion, kind: kind) }) else {
            throw APIStatus.badRequest("no resource type is registered for apiVersion \"\(apiVersion)\" kind \"\(kind)\"")
        }
        return type
    }

    private static func identity(of object: JSONValue, type: ResourceType) throws(APIStatus) -> (namespace: String?, name: String) {
        guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
            throw APIStatus.invalid(type, name: "", "metadata.name: Required value")
        }
        let namespace = object["metadata"]?["namespace"]?.stringValue
        return (namespace?.isEmpty == false ? namespace : nil, name)
    }

    private static func parse(_ json: String) throws(APIStatus) -> JSONValue {
        do {
            return try JSONValue(parsing: json)
        } catch {
            throw APIStatus.badRequest("\(error)")
        }
    }
}
