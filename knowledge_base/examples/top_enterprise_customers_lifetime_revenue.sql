-- Question: Who are the top enterprise customers by lifetime revenue?
-- Description: The 10 enterprise customers with the most revenue over all their orders, with their region.
SELECT c.name,
       r.name AS region,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS lifetime_revenue
FROM customers AS c
JOIN regions AS r ON r.region_id = c.region_id
JOIN orders AS o ON o.customer_id = c.customer_id
JOIN order_items AS oi ON oi.order_id = o.order_id
WHERE c.segment = 'enterprise'
  AND o.status NOT IN ('cancelled', 'returned')
GROUP BY c.customer_id, c.name, r.name
ORDER BY lifetime_revenue DESC
LIMIT 10;
