-- Question: How many active customers does each region have?
-- Description: Active customers (an order that counts for revenue in the 12 months up to the latest order date) per region.
SELECT r.name AS region,
       COUNT(DISTINCT o.customer_id) AS active_customers
FROM orders AS o
JOIN customers AS c ON c.customer_id = o.customer_id
JOIN regions AS r ON r.region_id = c.region_id
WHERE o.status NOT IN ('cancelled', 'returned')
  AND o.order_date > date((SELECT MAX(order_date) FROM orders), '-12 months')
GROUP BY r.region_id, r.name
ORDER BY active_customers DESC;
