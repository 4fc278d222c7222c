-- Question: What is the average shipping cost per order in each region?
-- Description: Average shipping charged per order and the share of orders that shipped free; shipping is not revenue.
SELECT r.name AS region,
       COUNT(*) AS orders,
       ROUND(AVG(o.shipping_cost), 2) AS avg_shipping_cost,
       ROUND(100.0 * SUM(CASE WHEN o.shipping_cost = 0 THEN 1 ELSE 0 END) / COUNT(*), 2) AS free_shipping_pct
FROM orders AS o
JOIN customers AS c ON c.customer_id = o.customer_id
JOIN regions AS r ON r.region_id = c.region_id
WHERE o.status <> 'cancelled'
GROUP BY r.region_id, r.name
ORDER BY avg_shipping_cost DESC;
