"""The bookings API's serializers: ``inputs`` (the website's JSON to typed requests) and ``outputs``
(records to the JSON the website reads, and their OpenAPI shapes)."""
